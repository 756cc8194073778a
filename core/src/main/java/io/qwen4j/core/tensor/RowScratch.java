package io.qwen4j.core.tensor;

/**
 * A per-thread buffer of the block kernels whose values have a subtracted minimum (Q4_1, Q5_1, Q2_K, Q4_K, Q5_K): the
 * sums of the activations over each group of columns. A minimum m of a whole group contributes {@code m * sum(x)} to
 * a dot product, so with the sums computed once per call the minimums cost one scalar product per group and row
 * instead of vector work per element.
 */
final class RowScratch {

    private static final ThreadLocal<RowScratch> LOCAL = ThreadLocal.withInitial(RowScratch::new);

    private float[] sums = new float[0];
    private byte[] row = new byte[0];

    private RowScratch() {
    }

    static RowScratch get() {
        return LOCAL.get();
    }

    /**
     * {@code sums[g] = x[xOff + g * group] + ... + x[xOff + (g + 1) * group - 1]} for the n / group groups, in this
     * thread's buffer (valid until its next call on this thread).
     */
    float[] sums(float[] x, int xOff, int n, int group) {
        int groups = n / group;
        if (sums.length < groups) {
            sums = new float[groups];
        }
        for (int g = 0; g < groups; g++) {
            float s = 0;
            for (int i = xOff + g * group, end = i + group; i < end; i++) {
                s += x[i];
            }
            sums[g] = s;
        }
        return sums;
    }

    /** This thread's buffer of at least n bytes for one weight row read onto the heap. */
    byte[] row(int n) {
        if (row.length < n) {
            row = new byte[n];
        }
        return row;
    }
}
