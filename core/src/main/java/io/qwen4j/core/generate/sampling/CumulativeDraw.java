package io.qwen4j.core.generate.sampling;

/**
 * Draws an index with probability proportional to its weight. A running sum over 150,000 weights is one long chain
 * of dependent additions; summing blocks with independent accumulators first, then walking the block sums and
 * scanning one block, cuts that chain by the block size.
 */
final class CumulativeDraw {

    private static final int BLOCK = 64;

    private final double[] blockSums;

    CumulativeDraw(int capacity) {
        this.blockSums = new double[(capacity + BLOCK - 1) / BLOCK];
    }

    /** The sum of {@code weights[0..n)}, remembered per block for {@link #pick}. */
    double total(float[] weights, int n) {
        double total = 0;
        for (int block = 0, start = 0; start < n; block++, start += BLOCK) {
            int end = Math.min(start + BLOCK, n);
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            int i = start;
            for (; i + 3 < end; i += 4) {
                s0 += weights[i];
                s1 += weights[i + 1];
                s2 += weights[i + 2];
                s3 += weights[i + 3];
            }
            for (; i < end; i++) {
                s0 += weights[i];
            }
            double sum = (s0 + s1) + (s2 + s3);
            blockSums[block] = sum;
            total += sum;
        }
        return total;
    }

    /**
     * The first index whose cumulative weight exceeds {@code target} (in [0, total)), after {@link #total} on the
     * same weights. If the scan of the chosen block falls short of the target (its additions round differently from
     * the block sum), the last positive weight at or before the end of that block is taken.
     */
    int pick(float[] weights, int n, double target) {
        double cumulative = 0;
        int start = 0;
        int block = 0;
        while (start + BLOCK < n && cumulative + blockSums[block] <= target) {
            cumulative += blockSums[block++];
            start += BLOCK;
        }
        int end = Math.min(start + BLOCK, n);
        for (int i = start; i < end; i++) {
            cumulative += weights[i];
            if (target < cumulative) {
                return i;
            }
        }
        int last = end - 1;
        while (last > 0 && weights[last] == 0) {
            last--;
        }
        return last;
    }
}
