package io.qwen4j.core.tensor;

/**
 * Per-thread buffers of the block kernels: one row's decoded sub-block scales and minimums, and the sums of the
 * activations over each group of columns. A minimum m subtracted from a whole group contributes {@code -m * sum(x)}
 * to a dot product, so with the sums computed once per call the minimums cost one scalar product per group and row
 * instead of vector work per element.
 */
final class RowScratch {

    private static final ThreadLocal<RowScratch> LOCAL = ThreadLocal.withInitial(RowScratch::new);

    private float[] scales = new float[0];
    private float[] sums = new float[0];

    private RowScratch() {
    }

    static RowScratch get() {
        return LOCAL.get();
    }

    /** A buffer of at least n floats for a row's scales (contents undefined). */
    float[] scales(int n) {
        if (scales.length < n) {
            scales = new float[n];
        }
        return scales;
    }

    /** {@code sums[g] = x[xOff + g * group] + ... + x[xOff + (g + 1) * group - 1]} for the n / group groups. */
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
}
