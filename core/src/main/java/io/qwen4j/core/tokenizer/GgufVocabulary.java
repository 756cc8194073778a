package io.qwen4j.core.tokenizer;

import io.qwen4j.core.ModelFormatException;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the tokenizer arrays of a GGUF file ({@code tokenizer.ggml.*}, as llama.cpp's gpt2 vocabulary writes them).
 * The result behaves like the Hugging Face tokenizer the file was converted from, NFC included (llama.cpp itself
 * skips NFC, which only matters for text that is not already NFC).
 */
final class GgufVocabulary {

    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    private static final String SOURCE = "GGUF tokenizer";

    private GgufVocabulary() {
    }

    static TokenizerSpec toSpec(String[] tokens, int[] tokenTypes, String[] merges) {
        if (tokens == null || tokenTypes == null || merges == null) {
            throw new ModelFormatException(SOURCE + ": tokenizer.ggml."
                    + (tokens == null ? "tokens" : tokenTypes == null ? "token_type" : "merges") + " is missing");
        }
        if (tokens.length != tokenTypes.length) {
            throw new ModelFormatException(SOURCE + ": tokenizer.ggml.token_type has " + tokenTypes.length
                    + " entries but tokenizer.ggml.tokens has " + tokens.length);
        }
        String[] regular = new String[tokens.length];
        List<TokenizerSpec.AddedToken> added = new ArrayList<>();
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null) {
                throw new ModelFormatException(SOURCE + ": token " + id + " is null");
            }
            switch (tokenTypes[id]) {
                case NORMAL, BYTE -> regular[id] = tokens[id];
                case CONTROL, UNKNOWN -> added.add(new TokenizerSpec.AddedToken(id, tokens[id], true, false));
                case USER_DEFINED -> added.add(new TokenizerSpec.AddedToken(id, tokens[id], false, false));
                case UNUSED -> {
                    // padding rows of the embedding: not part of the tokenizer
                }
                default -> throw new ModelFormatException(SOURCE + ": token " + id + " (\"" + tokens[id]
                        + "\") has unknown token type " + tokenTypes[id]);
            }
        }
        String[] left = new String[merges.length];
        String[] right = new String[merges.length];
        for (int i = 0; i < merges.length; i++) {
            String merge = merges[i];
            int space = merge == null ? -1 : merge.indexOf(' ');
            if (space <= 0 || space == merge.length() - 1 || merge.indexOf(' ', space + 1) >= 0) {
                throw new ModelFormatException(SOURCE + ": merge " + i + " is \"" + merge
                        + "\", not two tokens separated by one space");
            }
            left[i] = merge.substring(0, space);
            right[i] = merge.substring(space + 1);
        }
        return new TokenizerSpec(SOURCE, trimTrailingNulls(regular), left, right, added, true, false);
    }

    private static String[] trimTrailingNulls(String[] regular) {
        int n = regular.length;
        while (n > 0 && regular[n - 1] == null) {
            n--;
        }
        return java.util.Arrays.copyOf(regular, n);
    }
}
