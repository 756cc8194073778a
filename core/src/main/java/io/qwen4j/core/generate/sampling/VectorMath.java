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
            FloatVector acc = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            for (int upper = SPECIES.loopBound(n); i < upper; i += LANES) {
                acc = acc.max(FloatVector.fromArray(SPECIES, a, i));
            }
            max = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            max = Math.max(max, a[i]);
        }
        return max;
    }

    /** The first index {@code >= from} with {@code a[i] > threshold} (or {@code >=} when {@code inclusive}), or n. */
    static int firstAbove(float[] a, int from, int n, float threshold, boolean inclusive) {
        VectorOperators.Comparison test = inclusive ? VectorOperators.GE : VectorOperators.GT;
        int i = from;
        for (int upper = n - LANES; i <= upper; i += LANES) {
            VectorMask<Float> hits = FloatVector.fromArray(SPECIES, a, i).compare(test, threshold);
            if (hits.anyTrue()) {
                return i + hits.firstTrue();
            }
        }
        for (; i < n; i++) {
            if (inclusive ? a[i] >= threshold : a[i] > threshold) {
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
