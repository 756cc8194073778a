package io.qwen4j.core.constrain;

import io.qwen4j.core.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small tokenizer for mask tests: ids 0..255 are the single bytes, then the given multi-byte tokens, then a
 * special {@code <|end|>} (the end-of-generation token) and a non-special added {@code <think>}.
 */
final class HandMadeVocabulary {

    private HandMadeVocabulary() {
    }

    static Tokenizer tokenizer(List<String> extraTokens) {
        List<String> tokens = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(byteLevel(new byte[] {(byte) b}));
            types.add(6);
        }
        for (String t : extraTokens) {
            tokens.add(byteLevel(t.getBytes(StandardCharsets.UTF_8)));
            types.add(1);
        }
        tokens.add("<|end|>");
        types.add(3);
        tokens.add("<think>");
        types.add(4);
        return Tokenizer.fromGguf(tokens.toArray(String[]::new), types.stream().mapToInt(Integer::intValue).toArray(),
                new String[0]);
    }

    /** The GPT-2 byte-level spelling of a byte string (printable Latin-1 as is, other bytes from U+0100 on). */
    static String byteLevel(byte[] bytes) {
        char[] map = new char[256];
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char) b : (char) (0x100 + extra++);
        }
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(map[b & 0xFF]);
        }
        return sb.toString();
    }
}
