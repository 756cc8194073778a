package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** SIMD helpers on float[] activations (norms, residuals, activations, attention softmax). */
public final class VectorOps {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;

    private VectorOps() {
    }

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        int i = 0;
        for (int upper = n - n % (4 * L); i < upper; i += 4 * L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), acc1);
            acc2 = FloatVector.fromArray(F, a, aOff + i + 2 * L)
                    .fma(FloatVector.fromArray(F, b, bOff + i + 2 * L), acc2);
            acc3 = FloatVector.fromArray(F, a, aOff + i + 3 * L)
                    .fma(FloatVector.fromArray(F, b, bOff + i + 3 * L), acc3);
        }
        for (int upper = F.loopBound(n); i < upper; i += L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** {@code out = x / sqrt(mean(x^2) + eps) * weight}; out may alias x. */
    public static void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        float ss = dot(x, xOff, x, xOff, n);
        float inv = (float) (1.0 / Math.sqrt((double) ss / n + eps));
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(F, x, xOff + i).mul(inv).mul(FloatVector.fromArray(F, weight, i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = x[xOff + i] * inv * weight[i];
        }
    }

    /** {@code y += a * x}. */
    public static void saxpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.broadcast(F, a), FloatVector.fromArray(F, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    public static void scale(float[] x, int off, int n, float s) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(F, x, off + i).mul(s).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= s;
        }
    }

    /** {@code y += x}. */
    public static void add(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    /** SwiGLU: {@code gate = silu(gate) * up} with silu(g) = g / (1 + e^-g). */
    public static void siluMul(float[] gate, int gOff, float[] up, int uOff, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, gOff + i);
            FloatVector e = g.neg().lanewise(VectorOperators.EXP).add(1f);
            g.div(e).mul(FloatVector.fromArray(F, up, uOff + i)).intoArray(gate, gOff + i);
        }
        for (; i < n; i++) {
            float g = gate[gOff + i];
            gate[gOff + i] = g / (1f + (float) Math.exp(-g)) * up[uOff + i];
        }
    }

    /** Numerically stable softmax of {@code x[off .. off + n)} in place (n &gt; 0); returns the maximum. */
    public static float softmaxInPlace(float[] x, int off, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("softmax of " + n + " values");
        }
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int upper = F.loopBound(n);
        int i = 0;
        for (; i < upper; i += L) {
            vmax = vmax.max(FloatVector.fromArray(F, x, off + i));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        softmaxInPlace(x, off, n, max);
        return max;
    }

    /**
     * {@link #softmaxInPlace(float[], int, int)} for a caller that already knows the largest value: attention finds
     * it while writing the scores one by one, where a vector pass reading them right after stalled on the stores.
     */
    public static void softmaxInPlace(float[] x, int off, int n, float max) {
        float sum = expInPlace(x, off, n, max);
        scale(x, off, n, 1f / sum);
    }

    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;   // exact in a few bits, so n * LN2_HI is exact
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float EXP_MIN = -87.33654f;    // below, e^x is under the smallest normal float
    private static final float EXP_MAX = 88.72283f;
    /** The bits of {@link Simd#ROUND_TO_INT}: an integer k below 2^22 in magnitude added to it gives these plus k. */
    private static final int ROUNDED_BITS = Float.floatToRawIntBits(Simd.ROUND_TO_INT);

    /**
     * {@code x[i] = e^(x[i] - shift)} over {@code [off, off + n)}, returning their sum. Per lane from basic vector
     * ops: x = n ln2 + r with |r| &lt;= ln2 / 2, e^r by a degree-6 minimax polynomial (Cephes expf coefficients),
     * times 2^n built in the exponent bits. Within 2 ulp of Math.exp over [-87.3, 88.7]; below it gives 0. The
     * Vector API's EXP calls a library stub that C2 did not always use inside the attention kernel (it fell back to
     * boxed per-lane Math.exp there); these ops always compile to instructions. Written out in the loop, not as a
     * method on vectors: C2 found such a method too large to inline at the decode attention's call site, called it
     * with boxed vectors, and that allocation took 4% of decode.
     */
    static float expInPlace(float[] x, int off, int n, float shift) {
        int upper = F.loopBound(n);
        int i = 0;
        FloatVector vsum = FloatVector.zero(F);
        for (; i < upper; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i).sub(shift);
            var tooSmall = v.lt(EXP_MIN); // whatever the lanes below compute, they end as 0
            // a compare and a blend: max and min keep Java's NaN and -0 rules, several blends each on AVX2
            v = v.blend(EXP_MAX, v.compare(VectorOperators.GT, EXP_MAX));
            FloatVector t = v.mul(LOG2E).add(Simd.ROUND_TO_INT); // round to nearest: k is in t's low mantissa bits
            FloatVector k = t.sub(Simd.ROUND_TO_INT);
            FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), v);
            r = k.fma(FloatVector.broadcast(F, -LN2_LO), r);
            FloatVector p = FloatVector.broadcast(F, 1.9875691500e-4f);
            p = p.fma(r, FloatVector.broadcast(F, 1.3981999507e-3f));
            p = p.fma(r, FloatVector.broadcast(F, 8.3334519073e-3f));
            p = p.fma(r, FloatVector.broadcast(F, 4.1665795894e-2f));
            p = p.fma(r, FloatVector.broadcast(F, 1.6666665459e-1f));
            p = p.fma(r, FloatVector.broadcast(F, 5.0000001201e-1f));
            FloatVector e = p.mul(r.mul(r)).add(r).add(1f);
            // 2^k in two factors so that k = 128 (near EXP_MAX) does not overflow the exponent field
            // k from t's bits: a float to int conversion costs C2 a sequence of fix-ups for NaN and overflow
            IntVector ki = t.reinterpretAsInts().sub(ROUNDED_BITS);
            IntVector half = ki.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = ki.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            e = e.mul(s1).mul(s2).blend(0f, tooSmall);
            e.intoArray(x, off + i);
            vsum = vsum.add(e);
        }
        float sum = vsum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - shift);
            x[off + i] = e;
            sum += e;
        }
        return sum;
    }
}
