package io.qwen4j.core.generate.sampling;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The whole-vocabulary passes of the sampler, with the Vector API: max, search, exp. */
final class VectorMath {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private VectorMath() {
    }

    /** The largest of {@code a[0..n)}; NaN if any entry is NaN (lanewise MAX propagates NaN like Math.max). */
    static float max(float[] a, int n) {
        int i = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (n >= LANES) {
            // Four independent chains: one would wait on the latency of each max in turn.
            FloatVector m0 = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            FloatVector m1 = m0;
            FloatVector m2 = m0;
            FloatVector m3 = m0;
            for (int upper = n - 4 * LANES; i <= upper; i += 4 * LANES) {
                m0 = m0.max(FloatVector.fromArray(SPECIES, a, i));
                m1 = m1.max(FloatVector.fromArray(SPECIES, a, i + LANES));
                m2 = m2.max(FloatVector.fromArray(SPECIES, a, i + 2 * LANES));
                m3 = m3.max(FloatVector.fromArray(SPECIES, a, i + 3 * LANES));
            }
            for (int upper = SPECIES.loopBound(n); i < upper; i += LANES) {
                m0 = m0.max(FloatVector.fromArray(SPECIES, a, i));
            }
            max = m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            max = Math.max(max, a[i]);
        }
        return max;
    }

    /** The first index in [from, n) with {@code a[i] > threshold}, or n. */
    static int firstGreater(float[] a, int from, int n, float threshold) {
        int i = from;
        for (int upper = n - LANES; i <= upper; i += LANES) {
            // The comparison must be a constant at each call for the JIT to emit a vector compare.
            VectorMask<Float> hits = FloatVector.fromArray(SPECIES, a, i).compare(VectorOperators.GT, threshold);
            if (hits.anyTrue()) {
                return i + hits.firstTrue();
            }
        }
        for (; i < n; i++) {
            if (a[i] > threshold) {
                return i;
            }
        }
        return n;
    }

    /** The first index in [from, n) with {@code a[i] >= threshold}, or n. */
    static int firstAtLeast(float[] a, int from, int n, float threshold) {
        int i = from;
        for (int upper = n - LANES; i <= upper; i += LANES) {
            VectorMask<Float> hits = FloatVector.fromArray(SPECIES, a, i).compare(VectorOperators.GE, threshold);
            if (hits.anyTrue()) {
                return i + hits.firstTrue();
            }
        }
        for (; i < n; i++) {
            if (a[i] >= threshold) {
                return i;
            }
        }
        return n;
    }

    /** The first index of a NaN in {@code a[0..n)}, or -1. */
    static int firstNaN(float[] a, int n) {
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(a[i])) {
                return i;
            }
        }
        return -1;
    }

    /** {@code dst[i] = exp((src[i] - shift) * scale)} for i in [0, n). */
    static void shiftedExp(float[] src, int n, float shift, float scale, float[] dst) {
        int i = 0;
        for (int upper = SPECIES.loopBound(n); i < upper; i += LANES) {
            FloatVector.fromArray(SPECIES, src, i).sub(shift).mul(scale)
                    .lanewise(VectorOperators.EXP).intoArray(dst, i);
        }
        for (; i < n; i++) {
            dst[i] = (float) Math.exp((src[i] - shift) * scale);
        }
    }
}
