package io.qwen4j.core.tokenizer;

import io.qwen4j.core.ModelFormatException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The Qwen byte-level BPE tokenizer (Qwen1 through Qwen3), giving the same ids and text as Hugging Face
 * {@code tokenizers} with {@code split_special_tokens=False} and {@code clean_up_tokenization_spaces=False}.
 *
 * <p>Encoding: added tokens are cut out of the raw text first (leftmost, longest); each stretch between them is
 * put in NFC, split by the Qwen pre-tokenizer pattern, and every piece's UTF-8 bytes are merged by BPE. A Java
 * string may hold lone surrogates, which no UTF-8 text can; they are encoded as U+FFFD, which is what encoding
 * the string to UTF-8 with replacement gives, so {@code encode} accepts any string.
 *
 * <p>Decoding: ids are mapped to bytes and the bytes decoded as UTF-8 with replacement (one U+FFFD per maximal
 * invalid subsequence). Ids this tokenizer does not know (negative, too large, or unused rows of a model's
 * embedding) are skipped, as Hugging Face does.
 *
 * <p>Instances are immutable apart from a lock-free cache of encoded pieces, and safe to share between threads.
 */
public final class Tokenizer {

    /** Pieces up to this many chars are cached; longer ones are rare and not worth keeping. */
    private static final int CACHE_MAX_CHARS = 32;
    private static final int CACHE_SLOTS_LOG2 = 16;

    private final String[] texts;
    private final boolean[] special;
    private final byte[][] decodeBytes;
    private final Map<String, Integer> regularIds;
    private final Map<String, Integer> addedIds;
    private final AddedTokenMatcher rawMatcher;
    private final AddedTokenMatcher normalizedMatcher;
    private final BytePairEncoder bpe;
    private final boolean nfc;
    private final boolean ignoreMerges;
    private final PieceCache cache = new PieceCache(CACHE_SLOTS_LOG2);

    Tokenizer(TokenizerSpec spec) {
        int size = spec.regular().length;
        for (TokenizerSpec.AddedToken token : spec.added()) {
            size = Math.max(size, token.id() + 1);
        }
        texts = new String[size];
        special = new boolean[size];
        regularIds = new HashMap<>(spec.regular().length * 2);
        for (int id = 0; id < spec.regular().length; id++) {
            String text = spec.regular()[id];
            if (text != null) {
                texts[id] = text;
                regularIds.put(text, id);
            }
        }
        addedIds = new HashMap<>();
        Map<String, Integer> raw = new HashMap<>();
        Map<String, Integer> normalized = new HashMap<>();
        for (TokenizerSpec.AddedToken token : spec.added()) {
            int id = token.id();
            if (id < 0) {
                throw new ModelFormatException(spec.source() + ": added token \"" + token.content()
                        + "\" has negative id " + id);
            }
            if (texts[id] != null && !texts[id].equals(token.content())) {
                throw new ModelFormatException(spec.source() + ": added token \"" + token.content() + "\" has id "
                        + id + ", which already belongs to \"" + texts[id] + "\"");
            }
            texts[id] = token.content();
            special[id] = token.special();
            addedIds.put(token.content(), id);
            (token.normalized() ? normalized : raw).put(token.content(), id);
        }
        rawMatcher = new AddedTokenMatcher(raw);
        normalizedMatcher = normalized.isEmpty() ? null : new AddedTokenMatcher(normalized);
        nfc = spec.nfc();
        ignoreMerges = spec.ignoreMerges();

        int[] byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = regularIds.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) {
                throw new ModelFormatException(String.format("%s: the vocabulary has no token for byte 0x%02X (\"%c\")",
                        spec.source(), b, ByteLevel.charOf(b)));
            }
            byteIds[b] = id;
        }
        bpe = new BytePairEncoder(byteIds, buildMerges(spec));

        decodeBytes = new byte[size][];
        for (int id = 0; id < size; id++) {
            if (texts[id] != null) {
                decodeBytes[id] = ByteLevel.decodeToken(texts[id]);
            }
        }
    }

    private MergeTable buildMerges(TokenizerSpec spec) {
        int count = spec.mergeLeft().length;
        int[] left = new int[count];
        int[] right = new int[count];
        int[] result = new int[count];
        for (int i = 0; i < count; i++) {
            String a = spec.mergeLeft()[i];
            String b = spec.mergeRight()[i];
            left[i] = mergePart(spec, i, a, b, a);
            right[i] = mergePart(spec, i, a, b, b);
            result[i] = mergePart(spec, i, a, b, a + b);
        }
        int[] ranks = spec.mergeRanks();
        if (ranks == null) {
            return new MergeTable(left, right, result);
        }
        return new MergeTable(left, right, ranks, resultsByRank(spec, ranks, result));
    }

    /** The token each rank produces; merges that share a rank must agree on it. */
    private static int[] resultsByRank(TokenizerSpec spec, int[] ranks, int[] result) {
        if (ranks.length != result.length) {
            throw new ModelFormatException(spec.source() + ": " + ranks.length + " merge ranks for "
                    + result.length + " merges");
        }
        int maxRank = -1;
        for (int rank : ranks) {
            if (rank < 0 || rank == MergeTable.NO_MERGE) {
                throw new ModelFormatException(spec.source() + ": merge rank " + rank + " is out of range");
            }
            maxRank = Math.max(maxRank, rank);
        }
        int[] byRank = new int[maxRank + 1];
        java.util.Arrays.fill(byRank, -1);
        for (int i = 0; i < ranks.length; i++) {
            int previous = byRank[ranks[i]];
            if (previous >= 0 && previous != result[i]) {
                throw new ModelFormatException(spec.source() + ": merges of rank " + ranks[i]
                        + " produce different tokens (ids " + previous + " and " + result[i] + ")");
            }
            byRank[ranks[i]] = result[i];
        }
        return byRank;
    }

    private int mergePart(TokenizerSpec spec, int rank, String a, String b, String token) {
        Integer id = regularIds.get(token);
        if (id == null) {
            throw new ModelFormatException(spec.source() + ": merge " + rank + " (\"" + a + "\" \"" + b + "\") uses \""
                    + token + "\", which is not in the vocabulary");
        }
        return id;
    }

    /** Reads a Hugging Face {@code tokenizer.json} of the Qwen kind (BPE, NFC, the Qwen split pattern, ByteLevel). */
    public static Tokenizer fromTokenizerJson(Path tokenizerJson) {
        return new Tokenizer(TokenizerJsonReader.read(tokenizerJson));
    }

    /**
     * Reads Qwen1's {@code qwen.tiktoken}: one {@code <base64 of the token's bytes> <rank>} line per regular token,
     * ranks 0..N-1 (a token's rank is its id and its merge priority). The special tokens are not in the file; they
     * get ids N, N+1, ... as Qwen1's {@code QWenTokenizer} appends them: {@code <|endoftext|>}, {@code <|im_start|>},
     * {@code <|im_end|>}, then {@code <|extra_0|>} .. {@code <|extra_204|>}, all special. As there, the whole text is
     * put in NFC before special tokens are looked for.
     */
    public static Tokenizer fromTiktoken(Path qwenTiktoken) {
        return new Tokenizer(TiktokenReader.read(qwenTiktoken));
    }

    /**
     * Reads the tokenizer of a model folder: {@code tokenizer.json} (Qwen1.5 and later, and converted Qwen1 models),
     * or else Qwen1's {@code qwen.tiktoken}.
     */
    public static Tokenizer fromDirectory(Path dir) {
        Path json = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            return fromTokenizerJson(json);
        }
        Path tiktoken = dir.resolve(TiktokenReader.FILE_NAME);
        if (Files.isRegularFile(tiktoken)) {
            return fromTiktoken(tiktoken);
        }
        throw new ModelFormatException(dir, "no tokenizer.json or " + TiktokenReader.FILE_NAME + " in this folder");
    }

    /**
     * Builds the tokenizer from a GGUF vocabulary ({@code tokenizer.ggml.tokens}, {@code tokenizer.ggml.token_type},
     * {@code tokenizer.ggml.merges} in "left right" form). Token types: NORMAL (1) and BYTE (6) are regular BPE
     * tokens; CONTROL (3) are special added tokens and USER_DEFINED (4) non-special added tokens, both matched in
     * text; UNKNOWN (2) is treated like CONTROL; UNUSED (5) ids (the padding rows of a model's embedding) are not
     * known to the tokenizer, like ids past the end of a Hugging Face tokenizer: encode never produces them and
     * decode skips them.
     */
    public static Tokenizer fromGguf(String[] tokens, int[] tokenTypes, String[] merges) {
        return new Tokenizer(GgufVocabulary.toSpec(tokens, tokenTypes, merges));
    }

    /** The ids of {@code text}; added tokens in the text are recognised. Never fails on any string. */
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        String s = replaceLoneSurrogates(text);
        IntList out = new IntList(s.length() / 3 + 4);
        EncodeContext context = new EncodeContext();
        int pos = 0;
        while (pos < s.length()) {
            AddedTokenMatcher.Match match = rawMatcher.find(s, pos, s.length());
            int stretchEnd = match == null ? s.length() : match.start();
            if (stretchEnd > pos) {
                encodeStretch(s.substring(pos, stretchEnd), out, context);
            }
            if (match == null) {
                break;
            }
            out.add(match.id());
            pos = match.end();
        }
        return out.toArray();
    }

    /** Text between raw added tokens: normalize, then split at normalized added tokens, then pre-tokenize. */
    private void encodeStretch(String raw, IntList out, EncodeContext context) {
        String s = nfc ? nfc(raw) : raw;
        if (normalizedMatcher == null) {
            encodePieces(s, 0, s.length(), out, context);
            return;
        }
        int pos = 0;
        while (pos < s.length()) {
            AddedTokenMatcher.Match match = normalizedMatcher.find(s, pos, s.length());
            int end = match == null ? s.length() : match.start();
            encodePieces(s, pos, end, out, context);
            if (match == null) {
                break;
            }
            out.add(match.id());
            pos = match.end();
        }
    }

    private void encodePieces(String s, int from, int to, IntList out, EncodeContext context) {
        int pos = from;
        while (pos < to) {
            int end = QwenSplitter.pieceEnd(s, pos, to);
            encodePiece(s, pos, end, out, context);
            pos = end;
        }
    }

    private void encodePiece(String s, int from, int to, IntList out, EncodeContext context) {
        boolean cacheable = to - from <= CACHE_MAX_CHARS;
        int hash = 0;
        if (cacheable) {
            hash = PieceCache.hash(s, from, to);
            int[] cached = cache.get(s, from, to, hash);
            if (cached != null) {
                out.addAll(cached);
                return;
            }
        }
        int start = out.size();
        int length = context.utf8(s, from, to);
        Integer whole = ignoreMerges ? regularIds.get(ByteLevel.encode(context.bytes, length)) : null;
        if (whole != null) {
            out.add(whole);
        } else {
            bpe.encode(context.bytes, length, out, context.scratch);
        }
        if (cacheable) {
            cache.put(s.substring(from, to), hash, out.tail(start));
        }
    }

    /** Working buffers of one encode call. */
    private static final class EncodeContext {
        byte[] bytes = new byte[256];
        final BytePairEncoder.Scratch scratch = new BytePairEncoder.Scratch();

        /** UTF-8 of {@code s[from, to)} (which holds no lone surrogates) into {@link #bytes}; returns its length. */
        int utf8(String s, int from, int to) {
            int max = (to - from) * 3;
            if (bytes.length < max) {
                bytes = new byte[max * 2];
            }
            byte[] b = bytes;
            int n = 0;
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    b[n++] = (byte) c;
                } else if (c < 0x800) {
                    b[n++] = (byte) (0xC0 | (c >> 6));
                    b[n++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c)) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[n++] = (byte) (0xF0 | (cp >> 18));
                    b[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[n++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    b[n++] = (byte) (0xE0 | (c >> 12));
                    b[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    b[n++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            return n;
        }
    }

    private static String nfc(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x300) { // below U+0300 every character is already NFC and never combines
                return Normalizer.isNormalized(s, Normalizer.Form.NFC) ? s : Normalizer.normalize(s, Normalizer.Form.NFC);
            }
        }
        return s;
    }

    /** Lone surrogates become U+FFFD, as encoding to UTF-8 with replacement would make them. */
    static String replaceLoneSurrogates(String s) {
        StringBuilder fixed = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) {
                continue;
            }
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                i++;
                continue;
            }
            if (fixed == null) {
                fixed = new StringBuilder(s);
            }
            fixed.setCharAt(i, Utf8.REPLACEMENT);
        }
        return fixed == null ? s : fixed.toString();
    }

    /** Decodes with special tokens kept. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * The text of {@code ids}, decoded as UTF-8 with replacement.
     *
     * @param skipSpecialTokens drop the tokens flagged special (for Qwen: {@code <|endoftext|>}, {@code <|im_start|>},
     *                          {@code <|im_end|>} and the vision tokens, but not {@code <think>} or {@code <tool_call>})
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        int total = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id, skipSpecialTokens);
            if (b != null) {
                total += b.length;
            }
        }
        byte[] all = new byte[total];
        int n = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id, skipSpecialTokens);
            if (b != null) {
                System.arraycopy(b, 0, all, n, b.length);
                n += b.length;
            }
        }
        return Utf8.decodeLossy(all, 0, total);
    }

    /** The bytes id decodes to, or null if it is skipped (unknown, or special while skipping). */
    byte[] bytesOf(int id, boolean skipSpecialTokens) {
        if (id < 0 || id >= decodeBytes.length || (skipSpecialTokens && special[id])) {
            return null;
        }
        return decodeBytes[id];
    }

    BytePairEncoder bytePairEncoder() {
        return bpe;
    }

    /** A decoder for text generated one token at a time. */
    public StreamingDecoder newStreamingDecoder(boolean skipSpecialTokens) {
        return new StreamingDecoder(this, skipSpecialTokens);
    }

    /** The number of ids this tokenizer knows: the largest known id plus one (a model may have more rows). */
    public int vocabularySize() {
        return texts.length;
    }

    /** Whether the tokenizer has a token with this id. */
    public boolean isKnown(int id) {
        return id >= 0 && id < texts.length && texts[id] != null;
    }

    /**
     * The stored token string: byte-level form for regular tokens ({@code "Ġthe"}), the text for added tokens.
     *
     * @throws IllegalArgumentException if the id is not {@link #isKnown known}
     */
    public String tokenText(int id) {
        if (!isKnown(id)) {
            throw new IllegalArgumentException("token id " + id + " is not known to this tokenizer (vocabulary size "
                    + texts.length + ")");
        }
        return texts[id];
    }

    /** The id of a token given its stored string (added tokens first, as Hugging Face looks them up). */
    public OptionalInt tokenId(String tokenText) {
        Integer id = addedIds.get(tokenText);
        if (id == null) {
            id = regularIds.get(tokenText);
        }
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * The bytes token {@code id} decodes to (for an added token, its UTF-8 text), as a fresh array.
     *
     * @throws IllegalArgumentException if the id is not {@link #isKnown known}
     */
    public byte[] tokenBytes(int id) {
        if (!isKnown(id)) {
            throw new IllegalArgumentException("token id " + id + " is not known to this tokenizer (vocabulary size "
                    + texts.length + ")");
        }
        return decodeBytes[id].clone();
    }

    /** Whether id is an added token ({@code <|im_end|>}, {@code <think>}, ...), special or not, not a BPE token. */
    public boolean isAdded(int id) {
        return isKnown(id) && addedIds.get(texts[id]) instanceof Integer added && added == id;
    }

    /** Whether id is an added token flagged special (skipped by {@code decode(ids, true)}). */
    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }
}
