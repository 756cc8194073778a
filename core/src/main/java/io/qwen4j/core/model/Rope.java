package io.qwen4j.core.model;

/**
 * Rotary position embedding in the GPT-NeoX ("rotate half") form every Qwen generation uses: dimension i of a head
 * is paired with dimension i + headDim/2 and rotated by {@code pos * invFreq[i]}. The frequencies follow the model's
 * position scaling (none, linear, YaRN as Hugging Face computes it) and Qwen1's dynamic NTK alpha. Angles are
 * computed in double once per position and kept as float tables, so applying RoPE costs two multiplies per value.
 */
final class Rope {

    private final int half;
    private final float[] cos; // [position][headDim/2], times YaRN's cos/sin scale
    private final float[] sin; // [position][headDim/2]

    Rope(ModelConfig c, int maxPositions, double ntkAlpha) {
        this(inverseFrequencies(c, ntkAlpha), c.ropeScaling().cosSinScale(), maxPositions);
    }

    Rope(double[] invFreq, double scale, int maxPositions) {
        this.half = invFreq.length;
        this.cos = new float[Math.multiplyExact(maxPositions, half)];
        this.sin = new float[cos.length];
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * invFreq[i];
                cos[p * half + i] = (float) (Math.cos(angle) * scale);
                sin[p * half + i] = (float) (Math.sin(angle) * scale);
            }
        }
    }

    /** {@code invFreq[i]} for i < headDim/2. */
    static double[] inverseFrequencies(ModelConfig c, double ntkAlpha) {
        int dim = c.headDim();
        double base = ntkAlpha == 1 ? c.ropeTheta() : QwenLongContext.scaledBase(c.ropeTheta(), ntkAlpha, dim);
        double[] inv = new double[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(base, 2.0 * i / dim);
        }
        RopeScaling s = c.ropeScaling();
        switch (s.type()) {
            case NONE -> { }
            case LINEAR -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= s.factor();
                }
            }
            case YARN -> yarn(inv, s, base, dim);
        }
        return inv;
    }

    /**
     * YaRN (Peng et al. 2023), as transformers computes it: dimensions that turn fewer than beta_slow times over the
     * original context are interpolated (divided by the factor), those that turn more than beta_fast times are kept,
     * with a linear ramp between the two correction dimensions (floored and ceiled).
     */
    private static void yarn(double[] inv, RopeScaling s, double base, int dim) {
        double low = Math.max(Math.floor(correctionDim(s.betaFast(), dim, base, s.originalMaxPositionEmbeddings())), 0);
        double high = Math.min(Math.ceil(correctionDim(s.betaSlow(), dim, base, s.originalMaxPositionEmbeddings())), dim - 1);
        if (low == high) {
            high += 0.001; // the reference's guard against a zero-width ramp
        }
        for (int i = 0; i < inv.length; i++) {
            double ramp = Math.clamp((i - low) / (high - low), 0.0, 1.0);
            double extrapolation = 1 - ramp; // 1: keep the original frequency
            inv[i] = inv[i] / s.factor() * (1 - extrapolation) + inv[i] * extrapolation;
        }
    }

    /** The dimension whose frequency turns {@code rotations} times over {@code positions}. */
    static double correctionDim(double rotations, int dim, double base, int positions) {
        return dim * Math.log(positions / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    int maxPositions() {
        return cos.length / half;
    }

    /** Rotates {@code heads} consecutive heads of width 2*half starting at {@code off}, all at {@code position}. */
    void apply(float[] x, int off, int heads, int position) {
        int t = position * half;
        for (int h = 0; h < heads; h++) {
            int base = off + h * 2 * half;
            for (int i = 0; i < half; i++) {
                float x0 = x[base + i];
                float x1 = x[base + half + i];
                float c = cos[t + i];
                float s = sin[t + i];
                x[base + i] = x0 * c - x1 * s;
                x[base + half + i] = x0 * s + x1 * c;
            }
        }
    }
}
