package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rounds the activations entering a product with a quantised weight to the 8-bit values llama.cpp's CPU backend
 * multiplies them as. llama.cpp quantises the input of every such product (to Q8_0 blocks of 32 for Q4_0, Q5_0 and
 * Q8_0 weights, Q8_1 for Q4_1 and Q5_1, Q8_K blocks of 256 for the K-quants) and takes integer dot products; the
 * GGUF quantisations are tuned and judged with that rounding in place. Writing the rounded values back as floats
 * ({@code q * d}) lets the float kernels reproduce those products to float rounding. Where it matters: in an MoE a
 * router logit moved by the unrounded input can pick a different expert than llama.cpp does for the same file.
 * Float weights (F32, F16, BF16) keep exact float inputs: llama.cpp rounds the input of an F16 product to f16, but
 * doing the same here moved the qwen3-tiny F16 fixture only from 0.011 to 0.007 and would cost every F16 model
 * input precision (and make a converted F16 file differ from its BF16 source).
 */
final class ActivationRounding {

    /** How the input of a product with a weight of some type is rounded. */
    enum Kind {
        /** Exact floats. */
        NONE(1),
        /** Blocks of 32: d = amax / 127 stored as f16, q = round-half-even(x * 127 / amax) (Q8_0 and Q8_1). */
        Q8_0(32),
        /** Blocks of 256: d = 1 / (-127 / max) in float, q = min(127, round-half-even(x * -127 / max)) (Q8_K). */
        Q8_K(256);

        final int block;

        Kind(int block) {
            this.block = block;
        }
    }

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;

    private ActivationRounding() {
    }

    static Kind kindFor(GGMLType weightType) {
        return switch (weightType) {
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 -> Kind.Q8_0;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> Kind.Q8_K;
            default -> Kind.NONE;
        };
    }

    /** Rounds {@code x[off .. off + n)} into {@code dst[off ..]}; n is a multiple of the kind's block. */
    static void round(Kind kind, float[] x, int off, int n, float[] dst) {
        switch (kind) {
            case Q8_0 -> {
                for (int b = off, end = off + n; b < end; b += 32) {
                    q8_0Block(x, b, dst);
                }
            }
            case Q8_K -> {
                for (int b = off, end = off + n; b < end; b += 256) {
                    q8_KBlock(x, b, dst);
                }
            }
            case NONE -> System.arraycopy(x, off, dst, off, n);
        }
    }

    private static void q8_0Block(float[] x, int b, float[] dst) {
        float max = absMax32(x, b);
        scale(x, b, 32, max != 0 ? 127f / max : 0f, q8_0Scale(max), Float.NaN, dst);
    }

    /** The largest magnitude of the 32 values at {@code x[b ..]}. */
    private static float absMax32(float[] x, int b) {
        FloatVector amax = FloatVector.zero(F);
        for (int i = 0; i < 32; i += L) {
            amax = amax.max(FloatVector.fromArray(F, x, b + i).abs());
        }
        return amax.reduceLanes(VectorOperators.MAX);
    }

    /** A Q8_0 block's scale: amax / 127 rounded to f16. */
    private static float q8_0Scale(float max) {
        return Float.float16ToFloat(Float.floatToFloat16(max / 127f));
    }

    /**
     * The Q8_0 rounding of the 32 values at {@code x[b ..]} as integers: q receives round(x * 127 / amax) and the
     * return value is the block's scale d (the rounded values are q * d). On values this class already rounded it
     * gives back the same q and d.
     */
    static float q8_0(float[] x, int b, int[] q) {
        float max = absMax32(x, b);
        float id = max != 0 ? 127f / max : 0f;
        for (int i = 0; i < 32; i++) {
            q[i] = (int) Math.rint(x[b + i] * id);
        }
        return q8_0Scale(max);
    }

    /**
     * The Q8_K rounding of the 256 values at {@code x[b ..]} as integers: q receives min(127, round(x * iscale))
     * and the return value is the block's scale 1 / iscale. On values this class already rounded it gives back the
     * same products q * d to float rounding.
     */
    static float q8_K(float[] x, int b, int[] q) {
        float max = largest256(x, b);
        if (max == 0) {
            java.util.Arrays.fill(q, 0, 256, 0);
            return 0f;
        }
        float iscale = -127f / max;
        for (int i = 0; i < 256; i++) {
            q[i] = (int) Math.min(127f, Math.rint(x[b + i] * iscale));
        }
        return 1 / iscale;
    }

    private static void q8_KBlock(float[] x, int b, float[] dst) {
        float max = largest256(x, b);
        if (max == 0) {
            java.util.Arrays.fill(dst, b, b + 256, 0f);
            return;
        }
        float iscale = -127f / max;
        scale(x, b, 256, iscale, 1 / iscale, 127f, dst);
    }

    /**
     * The value of largest magnitude of the 256 at {@code x[b ..]}, the first one on ties: its sign decides the sign
     * of a Q8_K scale. Zero when all are zero.
     */
    private static float largest256(float[] x, int b) {
        float amax = 0;
        float max = 0;
        for (int i = b; i < b + 256; i++) {
            float a = Math.abs(x[i]);
            if (a > amax) {
                amax = a;
                max = x[i];
            }
        }
        return max;
    }

    /** dst = min(clamp, round(x * iscale)) * d over len values; clamp NaN means no clamp. */
    private static void scale(float[] x, int b, int len, float iscale, float d, float clamp, float[] dst) {
        FloatVector is = FloatVector.broadcast(F, iscale);
        FloatVector dv = FloatVector.broadcast(F, d);
        FloatVector rounder = FloatVector.broadcast(F, Simd.ROUND_TO_INT);
        boolean clamped = !Float.isNaN(clamp);
        FloatVector top = FloatVector.broadcast(F, clamped ? clamp : Float.POSITIVE_INFINITY);
        for (int i = 0; i < len; i += L) {
            FloatVector q = FloatVector.fromArray(F, x, b + i).mul(is).add(rounder).sub(rounder);
            q.min(top).mul(dv).intoArray(dst, b + i);
        }
    }
}
