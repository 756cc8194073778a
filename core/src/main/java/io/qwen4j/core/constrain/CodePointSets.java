package io.qwen4j.core.constrain;

import java.util.Arrays;

/**
 * Sets of Unicode scalar values as sorted, disjoint, non-adjacent inclusive ranges {@code [lo0, hi0, lo1, hi1, ...]}.
 * Surrogates (U+D800..U+DFFF) are never members: no UTF-8 text can hold them.
 */
final class CodePointSets {

    static final int MAX = 0x10FFFF;
    static final int[] ALL = {0, 0xD7FF, 0xE000, MAX};

    private CodePointSets() {
    }

    static int[] of(int codePoint) {
        return normalize(new int[] {codePoint, codePoint});
    }

    /** Sorts and merges arbitrary ranges (pairs lo, hi with lo <= hi) and removes the surrogates. */
    static int[] normalize(int[] pairs) {
        int n = pairs.length / 2;
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            packed[i] = ((long) pairs[2 * i] << 32) | pairs[2 * i + 1];
        }
        Arrays.sort(packed);
        int[] out = new int[pairs.length + 2];
        int m = 0;
        for (long p : packed) {
            int lo = (int) (p >>> 32);
            int hi = (int) p;
            if (m > 0 && lo <= out[m - 1] + 1) {
                out[m - 1] = Math.max(out[m - 1], hi);
            } else {
                out[m++] = lo;
                out[m++] = hi;
            }
        }
        return intersect(Arrays.copyOf(out, m), ALL);
    }

    static int[] union(int[] a, int[] b) {
        int[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return normalize(both);
    }

    /** All scalar values not in the set. */
    static int[] complement(int[] set) {
        return intersect(complementRaw(set), ALL);
    }

    static int[] minus(int[] a, int[] b) {
        return intersect(a, complementRaw(b));
    }

    private static int[] complementRaw(int[] set) {
        int[] out = new int[set.length + 2];
        int m = 0;
        int next = 0;
        for (int i = 0; i < set.length; i += 2) {
            if (set[i] > next) {
                out[m++] = next;
                out[m++] = set[i] - 1;
            }
            next = set[i + 1] + 1;
        }
        if (next <= MAX) {
            out[m++] = next;
            out[m++] = MAX;
        }
        return Arrays.copyOf(out, m);
    }

    static int[] intersect(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        int m = 0;
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            int lo = Math.max(a[i], b[j]);
            int hi = Math.min(a[i + 1], b[j + 1]);
            if (lo <= hi) {
                out[m++] = lo;
                out[m++] = hi;
            }
            if (a[i + 1] < b[j + 1]) {
                i += 2;
            } else {
                j += 2;
            }
        }
        return Arrays.copyOf(out, m);
    }

    static boolean contains(int[] set, int codePoint) {
        for (int i = 0; i < set.length; i += 2) {
            if (codePoint >= set[i] && codePoint <= set[i + 1]) {
                return true;
            }
        }
        return false;
    }
}
