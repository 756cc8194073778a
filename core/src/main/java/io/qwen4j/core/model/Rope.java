package io.qwen4j.core.model;

/**
 * Rotary position embedding in the GPT-NeoX ("rotate half") form every Qwen generation uses: dimension i of a head
 * is paired with dimension i + headDim/2 and rotated by {@code pos * theta^(-2i/headDim)}. Angles are computed in
 * double once per position and kept as float tables, so applying RoPE costs two multiplies per value.
 */
final class Rope {

    private final int half;
    private final float[] cos; // [position][headDim/2]
    private final float[] sin; // [position][headDim/2]

    Rope(int headDim, double theta, int maxPositions) {
        this.half = headDim / 2;
        this.cos = new float[Math.multiplyExact(maxPositions, half)];
        this.sin = new float[cos.length];
        double[] invFreq = new double[half];
        for (int i = 0; i < half; i++) {
            invFreq[i] = Math.pow(theta, -2.0 * i / headDim);
        }
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * invFreq[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
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
