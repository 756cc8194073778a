package io.qwen4j.core.tokenizer;

import io.qwen4j.core.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Qwen1's {@code qwen.tiktoken} into a {@link TokenizerSpec}.
 *
 * <p>tiktoken's BPE repeatedly merges the adjacent pair whose concatenated bytes are the token of lowest rank
 * (leftmost on ties). That is byte-pair merging with one merge per way of cutting a token into two tokens, each
 * ranked with the token's rank: the encoder then picks the same pair, as equal ranks go to the leftmost pair.
 * tiktoken also emits a piece that is itself a token as that token without merging ({@code ignoreMerges}).
 */
final class TiktokenReader {

    static final String FILE_NAME = "qwen.tiktoken";

    /** The special tokens QWenTokenizer appends after the regular ones, in id order. */
    static final List<String> SPECIAL_TOKENS = specialTokens();

    private static List<String> specialTokens() {
        List<String> tokens = new ArrayList<>(List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"));
        for (int i = 0; i < 205; i++) {
            tokens.add("<|extra_" + i + "|>");
        }
        return List.copyOf(tokens);
    }

    private final Path file;

    private TiktokenReader(Path file) {
        this.file = file;
    }

    static TokenizerSpec read(Path file) {
        return new TiktokenReader(file).parse();
    }

    private ModelFormatException problem(String what) {
        return new ModelFormatException(file, what);
    }

    private TokenizerSpec parse() {
        String[] regular = readRanks();
        Map<String, Integer> ids = new HashMap<>(regular.length * 2);
        for (int id = 0; id < regular.length; id++) {
            ids.put(regular[id], id);
        }
        List<String> left = new ArrayList<>();
        List<String> right = new ArrayList<>();
        IntList ranks = new IntList(regular.length * 2);
        for (int id = 0; id < regular.length; id++) {
            String token = regular[id]; // byte-level form: one char per byte
            for (int cut = 1; cut < token.length(); cut++) {
                String a = token.substring(0, cut);
                String b = token.substring(cut);
                if (ids.containsKey(a) && ids.containsKey(b)) {
                    left.add(a);
                    right.add(b);
                    ranks.add(id);
                }
            }
        }
        List<TokenizerSpec.AddedToken> added = new ArrayList<>(SPECIAL_TOKENS.size());
        for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
            // normalized: QWenTokenizer puts the whole text in NFC before tiktoken looks for special tokens
            added.add(new TokenizerSpec.AddedToken(regular.length + i, SPECIAL_TOKENS.get(i), true, true));
        }
        return new TokenizerSpec(file.toString(), regular, left.toArray(String[]::new),
                right.toArray(String[]::new), added, true, true, ranks.toArray());
    }

    /** The regular tokens in byte-level form, indexed by rank. */
    private String[] readRanks() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw problem("file not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot be read: " + e, e);
        }
        List<String> tokens = new ArrayList<>(1 << 16);
        IntList ranks = new IntList(1 << 16);
        IntList lines = new IntList(1 << 16);
        Map<String, Integer> lineOfToken = new HashMap<>(1 << 17);
        Base64.Decoder base64 = Base64.getDecoder();
        int lineNumber = 0;
        int start = 0;
        while (start < content.length) {
            int end = start;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            lineNumber++;
            String line = new String(content, start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1);
            start = end + 1;
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                continue; // tiktoken skips empty lines, including a final newline's
            }
            String[] columns = columns(line);
            if (columns.length != 2) {
                throw problem("line " + lineNumber + ": expected 2 columns (base64 token, rank), found "
                        + columns.length);
            }
            byte[] bytes;
            try {
                bytes = base64.decode(columns[0]); // never empty: a non-empty column that decodes to nothing fails
            } catch (IllegalArgumentException e) {
                throw problem("line " + lineNumber + ": \"" + shorten(columns[0]) + "\" is not valid base64");
            }
            int rank = parseRank(columns[1], lineNumber);
            String token = ByteLevel.encode(bytes);
            Integer earlier = lineOfToken.putIfAbsent(token, lineNumber);
            if (earlier != null) {
                throw problem("line " + lineNumber + ": token " + shorten(columns[0]) + " is also on line " + earlier);
            }
            tokens.add(token);
            ranks.add(rank);
            lines.add(lineNumber);
        }
        if (tokens.isEmpty()) {
            throw problem("no tokens");
        }
        String[] byRank = new String[tokens.size()];
        int[] lineOfRank = new int[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            int rank = ranks.get(i);
            if (rank >= byRank.length) {
                throw problem("line " + lines.get(i) + ": rank " + rank + " is out of range: " + byRank.length
                        + " tokens must have the ranks 0.." + (byRank.length - 1) + ", each once (rank "
                        + firstMissing(ranks, byRank.length) + " is missing)");
            }
            if (byRank[rank] != null) {
                throw problem("line " + lines.get(i) + ": rank " + rank + " is also on line " + lineOfRank[rank]);
            }
            byRank[rank] = tokens.get(i);
            lineOfRank[rank] = lines.get(i);
        }
        return byRank;
    }

    /** The columns of a line, separated by runs of ASCII white space (as Python's bytes.split() does). */
    private static String[] columns(String line) {
        List<String> columns = new ArrayList<>(2);
        int i = 0;
        while (i < line.length()) {
            while (i < line.length() && isBlank(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < line.length() && !isBlank(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                columns.add(line.substring(start, i));
            }
        }
        return columns.toArray(String[]::new);
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\u000B' || c == '\f';
    }

    private int parseRank(String text, int lineNumber) {
        boolean digits = !text.isEmpty() && text.length() <= 10 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        long value = digits ? Long.parseLong(text) : -1;
        if (value < 0 || value >= Integer.MAX_VALUE) {
            throw problem("line " + lineNumber + ": rank \"" + shorten(text) + "\" is not a non-negative integer");
        }
        return (int) value;
    }

    private static int firstMissing(IntList ranks, int count) {
        boolean[] seen = new boolean[count];
        for (int i = 0; i < ranks.size(); i++) {
            if (ranks.get(i) < count) {
                seen[ranks.get(i)] = true;
            }
        }
        for (int rank = 0; rank < count; rank++) {
            if (!seen[rank]) {
                return rank;
            }
        }
        throw new IllegalStateException("a rank out of range leaves a gap among " + count + " ranks");
    }

    private static String shorten(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
