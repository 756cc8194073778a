package io.qwen4j.core.generate.sampling;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@code dst[i] = exp((src[i] - shift) * scale)} over a whole array, with the Vector API's SIMD exp. */
final class VectorExp {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorExp() {
    }

    static void shiftedExp(float[] src, int n, float shift, float scale, float[] dst) {
        int i = 0;
        for (int upper = SPECIES.loopBound(n); i < upper; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, src, i).sub(shift).mul(scale)
                    .lanewise(VectorOperators.EXP).intoArray(dst, i);
        }
        for (; i < n; i++) {
            dst[i] = (float) Math.exp((src[i] - shift) * scale);
        }
    }
}
