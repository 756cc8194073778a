package io.qwen4j.core.constrain;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a range of code points into the byte-range sequences of their UTF-8 encodings: every code point in the
 * range encodes to a byte string matched by exactly one sequence, each byte within its range.
 */
final class Utf8Ranges {

    private Utf8Ranges() {
    }

    /** Sequences of {@code [lo, hi]} byte ranges, as {@code int[]{lo0, hi0, lo1, hi1, ...}} per sequence. */
    static List<int[]> of(int lo, int hi) {
        List<int[]> out = new ArrayList<>();
        split(lo, hi, out);
        return out;
    }

    private static void split(int lo, int hi, List<int[]> out) {
        // First cut where the encoded length changes, so both ends of a piece have the same length.
        int[] lengthLimits = {0x7F, 0x7FF, 0xFFFF};
        for (int limit : lengthLimits) {
            if (lo <= limit && hi > limit) {
                split(lo, limit, out);
                split(limit + 1, hi, out);
                return;
            }
        }
        if (hi <= 0x7F) {
            out.add(new int[] {lo, hi});
            return;
        }
        // Then cut until every trailing 6-bit group spans either one value or its whole 0..63 range.
        int length = hi <= 0x7FF ? 2 : hi <= 0xFFFF ? 3 : 4;
        for (int i = 1; i < length; i++) {
            int mask = (1 << (6 * i)) - 1;
            if ((lo & ~mask) != (hi & ~mask)) {
                if ((lo & mask) != 0) {
                    split(lo, lo | mask, out);
                    split((lo | mask) + 1, hi, out);
                    return;
                }
                if ((hi & mask) != mask) {
                    split(lo, (hi & ~mask) - 1, out);
                    split(hi & ~mask, hi, out);
                    return;
                }
            }
        }
        byte[] a = encode(lo);
        byte[] b = encode(hi);
        int[] seq = new int[2 * a.length];
        for (int i = 0; i < a.length; i++) {
            seq[2 * i] = a[i] & 0xFF;
            seq[2 * i + 1] = b[i] & 0xFF;
        }
        out.add(seq);
    }

    static byte[] encode(int cp) {
        if (cp < 0x80) {
            return new byte[] {(byte) cp};
        }
        if (cp < 0x800) {
            return new byte[] {(byte) (0xC0 | cp >> 6), (byte) (0x80 | cp & 0x3F)};
        }
        if (cp < 0x10000) {
            return new byte[] {(byte) (0xE0 | cp >> 12), (byte) (0x80 | cp >> 6 & 0x3F), (byte) (0x80 | cp & 0x3F)};
        }
        return new byte[] {(byte) (0xF0 | cp >> 18), (byte) (0x80 | cp >> 12 & 0x3F), (byte) (0x80 | cp >> 6 & 0x3F),
                (byte) (0x80 | cp & 0x3F)};
    }
}
