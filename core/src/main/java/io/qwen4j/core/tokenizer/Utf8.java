package io.qwen4j.core.tokenizer;

/**
 * UTF-8 decoding with replacement by the "maximal subpart" rule (Unicode chapter 3, WHATWG, Rust's
 * {@code from_utf8_lossy}): each maximal prefix of a well-formed sequence that cannot be completed becomes one
 * U+FFFD, and every other invalid byte becomes one U+FFFD of its own. (The JDK's decoder differs in corner cases
 * such as {@code ED A0} before a non-continuation byte, hence this class.)
 */
final class Utf8 {

    static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    /**
     * Decodes {@code bytes[from, to)} into {@code out} from index 0; {@code out} needs {@code to - from} chars, as
     * no byte yields more than one char (a 4-byte sequence yields 2).
     *
     * @param flushIncomplete what to do with a sequence cut short by {@code to}: true replaces it by U+FFFD,
     *                        false leaves it undecoded so that later bytes can complete it
     * @return the number of chars written in the low 32 bits, and in the high 32 bits the index where decoding
     * stopped: {@code to}, or the start of the held-back incomplete sequence
     */
    static long decode(byte[] bytes, int from, int to, char[] out, boolean flushIncomplete) {
        int i = from;
        int n = 0;
        while (i < to) {
            int b0 = bytes[i];
            if (b0 >= 0) {
                out[n++] = (char) b0;
                i++;
                continue;
            }
            b0 &= 0xFF;
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            int cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                cp = b0 & 0x0F;
                if (b0 == 0xE0) {
                    lo = 0xA0; // shorter forms are overlong
                } else if (b0 == 0xED) {
                    hi = 0x9F; // ED A0..BF would encode a surrogate
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                cp = b0 & 0x07;
                if (b0 == 0xF0) {
                    lo = 0x90; // overlong
                } else if (b0 == 0xF4) {
                    hi = 0x8F; // above U+10FFFF
                }
            } else {
                out[n++] = REPLACEMENT; // 80..C1 and F5..FF never start a sequence
                i++;
                continue;
            }
            int j = i + 1;
            int got = 0;
            while (got < need && j < to) {
                int b = bytes[j] & 0xFF;
                if (b < lo || b > hi) {
                    break;
                }
                cp = (cp << 6) | (b & 0x3F);
                lo = 0x80;
                hi = 0xBF;
                got++;
                j++;
            }
            if (got == need) {
                if (cp >= 0x10000) {
                    out[n++] = Character.highSurrogate(cp);
                    out[n++] = Character.lowSurrogate(cp);
                } else {
                    out[n++] = (char) cp;
                }
            } else if (j == to && !flushIncomplete) {
                return ((long) i << 32) | n;
            } else {
                out[n++] = REPLACEMENT;
            }
            i = j;
        }
        return ((long) to << 32) | n;
    }

    static String decodeLossy(byte[] bytes, int from, int to) {
        char[] chars = new char[to - from];
        int n = (int) decode(bytes, from, to, chars, true);
        return new String(chars, 0, n);
    }
}
