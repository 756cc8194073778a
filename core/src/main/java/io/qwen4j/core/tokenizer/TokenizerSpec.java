package io.qwen4j.core.tokenizer;

import java.util.List;

/**
 * What a tokenizer file says, before any index is built: the regular (BPE) tokens by id, the merges in rank
 * order, and the added tokens.
 *
 * @param source       names the file or array the data came from, for error messages
 * @param regular      regular token strings in byte-level form, indexed by id; null where an id is not a regular token
 * @param mergeLeft    left token string of merge i (its rank is i)
 * @param mergeRight   right token string of merge i
 * @param added        tokens matched in raw text before pre-tokenization
 * @param nfc          whether text between added tokens is put in Unicode NFC before pre-tokenization
 * @param ignoreMerges whether a piece that is itself a regular token skips BPE (tokenizer.json {@code ignore_merges})
 * @param mergeRanks   the rank of merge i (lower merges first), or null when the merges are listed in rank order
 *                     (merge i has rank i); merges may share a rank only if they produce the same token
 */
record TokenizerSpec(String source, String[] regular, String[] mergeLeft, String[] mergeRight,
                     List<AddedToken> added, boolean nfc, boolean ignoreMerges, int[] mergeRanks) {

    /** A spec whose merges are listed in rank order. */
    TokenizerSpec(String source, String[] regular, String[] mergeLeft, String[] mergeRight,
                  List<AddedToken> added, boolean nfc, boolean ignoreMerges) {
        this(source, regular, mergeLeft, mergeRight, added, nfc, ignoreMerges, null);
    }

    /**
     * @param normalized whether the token is matched after normalization (tokenizer.json {@code normalized}) rather
     *                   than in the raw text
     */
    record AddedToken(int id, String content, boolean special, boolean normalized) {
    }
}
