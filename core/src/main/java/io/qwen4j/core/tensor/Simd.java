package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every kernel shares. Kept in one place so that all kernels agree on the lane count
 * and the JIT sees {@code static final} species (a species read from a field is not constant-folded).
 */
final class Simd {

    /** Float lanes: the preferred width, capped at 16 so that one 32-element quant block holds whole vectors. */
    static final VectorSpecies<Float> F = pickFloatSpecies();
    static final int L = F.length();

    /**
     * Bytes loaded at once from quantised data: L bytes, but at least 8 (there is no 32-bit shape), so one byte
     * vector widens into {@link #BPARTS} float vectors.
     */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    static final int BL = B.length();
    static final int BPARTS = BL / L;

    /** Short lanes matching the float lanes one to one (F16/BF16 rows). */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer, ties to even. */
    static final float ROUND_TO_INT = 12582912f;

    private Simd() {
    }

    private static VectorSpecies<Float> pickFloatSpecies() {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (preferred.length() > 16) {
            return FloatVector.SPECIES_512;
        }
        if (preferred.length() < 4) {
            return FloatVector.SPECIES_128;
        }
        return preferred;
    }
}
