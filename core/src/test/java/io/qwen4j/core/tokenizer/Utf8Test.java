package io.qwen4j.core.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Utf8Test {

    private static String lossy(String hex) {
        byte[] bytes = HexFormat.of().parseHex(hex.replace(" ", ""));
        return Utf8.decodeLossy(bytes, 0, bytes.length);
    }

    @Test
    void maximalSubpartsBecomeOneReplacementEach() {
        assertEquals("\uFFFDok", lossy("F0 9F A6 6F 6B"));
        assertEquals("\uFFFD\uFFFD\uFFFD", lossy("ED A0 80")); // encoded surrogate
        assertEquals("\uFFFD\uFFFD", lossy("C0 AF")); // overlong
        assertEquals("\uFFFD\uFFFD\uFFFD", lossy("E0 80 AF")); // overlong
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", lossy("F4 90 80 80")); // above U+10FFFF
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", lossy("F0 80 80 80"));
        assertEquals("\uFFFD\uFFFD", lossy("F5 80"));
        assertEquals("\uFFFD", lossy("E4 BD")); // cut at the end
        assertEquals("\uFFFDA", lossy("E4 BD 41"));
        assertEquals("\uFFFD\uFFFD", lossy("E4 E4"));
        assertEquals("\uFFFD\u4F60", lossy("E4 E4 BD A0"));
        assertEquals("\u4F60\uD83E\uDEE0\u00E9\u007F", lossy("E4 BD A0 F0 9F AB A0 C3 A9 7F"));
        assertEquals("\uDBFF\uDFFF", lossy("F4 8F BF BF")); // U+10FFFF
        assertEquals("\uD7FF\uE000", lossy("ED 9F BF EE 80 80"));
    }

    /** "stop text" of decoding without flushing. */
    private static String holdBack(String hex) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        char[] out = new char[bytes.length];
        long result = Utf8.decode(bytes, 0, bytes.length, out, false);
        return (result >>> 32) + " " + new String(out, 0, (int) result);
    }

    @Test
    void anIncompleteTailIsHeldBackWhenNotFlushing() {
        assertEquals("1 A", holdBack("41F09FAB"));
        assertEquals("4 A\uFFFDA", holdBack("41F09F41"));
        assertEquals("2 \uFFFD\uFFFD", holdBack("E080")); // E0 80 can never become valid
        assertEquals("0 ", holdBack("F4"));
        assertEquals("4 \uD83E\uDEE0", holdBack("F09FABA0"));
    }

    /** Every prefix of every well-formed UTF-8 sequence, packed as (length << 24 | bytes), from the JDK's encoder. */
    private static final java.util.Set<Long> PREFIXES = new java.util.HashSet<>();

    static {
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            if (c >= 0xD800 && c <= 0xDFFF) {
                continue;
            }
            byte[] b = Character.toString(c).getBytes(StandardCharsets.UTF_8);
            for (int k = 1; k <= b.length; k++) {
                PREFIXES.add(pack(b, 0, k));
            }
        }
    }

    private static long pack(byte[] b, int from, int length) {
        long v = length;
        for (int i = 0; i < length; i++) {
            v = (v << 8) | (b[from + i] & 0xFF);
        }
        return v;
    }

    /** The maximal-subpart rule read literally: the longest prefix of a well-formed sequence is one unit. */
    private static String reference(byte[] b) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < b.length) {
            int k = 0;
            while (k < 4 && i + k < b.length && PREFIXES.contains(pack(b, i, k + 1))) {
                k++;
            }
            String unit = k == 0 ? "" : new String(b, i, k, StandardCharsets.UTF_8);
            boolean complete = k > 0 && unit.codePointCount(0, unit.length()) == 1 && unit.charAt(0) != '\uFFFD';
            out.append(complete ? unit : "\uFFFD");
            i += Math.max(k, 1);
        }
        return out.toString();
    }

    @Test
    void agreesWithTheLiteralRuleOnRandomBytes() {
        int[] pool = {0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE,
                0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF};
        Random random = new Random(42);
        for (int round = 0; round < 50_000; round++) {
            byte[] bytes = new byte[random.nextInt(9)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) pool[random.nextInt(pool.length)];
            }
            assertEquals(reference(bytes), Utf8.decodeLossy(bytes, 0, bytes.length),
                    () -> HexFormat.of().formatHex(bytes));
        }
    }

    @Test
    void validTextRoundTrips() {
        String text = "a\u00E9\u4F60\uD83E\uDEE0\uDBFF\uDFFF\u0000\uFFFD";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(text, Utf8.decodeLossy(bytes, 0, bytes.length));
    }
}
