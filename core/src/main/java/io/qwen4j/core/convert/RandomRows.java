package io.qwen4j.core.convert;

import java.util.SplittableRandom;

/**
 * Deterministic random rows: uniform values with a given mean and standard deviation. Each row has its own
 * generator seeded from the tensor's seed and the row index, so rows can be made in any order, on any thread, and
 * always come out the same.
 */
final class RandomRows implements RowSource {

    private final long rows;
    private final int rowLength;
    private final long seed;
    private final float mean;
    private final float halfWidth;

    /** A uniform distribution on [mean - h, mean + h] has standard deviation h / sqrt(3). */
    RandomRows(long rows, int rowLength, long seed, double mean, double std) {
        this.rows = rows;
        this.rowLength = rowLength;
        this.seed = seed;
        this.mean = (float) mean;
        this.halfWidth = (float) (std * Math.sqrt(3));
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public int rowLength() {
        return rowLength;
    }

    @Override
    public void read(long row, float[] dst) {
        SplittableRandom random = new SplittableRandom(mix(seed + row * 0x9E3779B97F4A7C15L));
        float scale = 2 * halfWidth;
        for (int i = 0; i < rowLength; i++) {
            dst[i] = mean + (random.nextFloat() - 0.5f) * scale;
        }
    }

    /** SplitMix64's finaliser: neighbouring inputs give unrelated outputs. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
