package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Quant bytes widened to int lanes (zero extension), split into their two nibbles as floats. In int lanes one mask or
 * one shift splits a whole vector of bytes, and the int to float conversion needs no further lane extraction.
 */
final class Nibbles {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LittleEndian.ORDER);
    private static final int[] BYTE_SHIFTS = {0, 8, 16, 24};

    private Nibbles() {
    }

    /**
     * The L quant bytes at {@code at} zero-extended to int lanes ({@link Simd#I}). The 128-bit build has no 32-bit
     * byte load: it reads one int and shifts each byte down in its lane (converting part 1 of a 64-bit load instead
     * pushed the kernels past C2's inlining budget).
     */
    static IntVector widen(MemorySegment data, long at) {
        if (Simd.L >= 8) {
            return (IntVector) ByteVector.fromMemorySegment(Simd.B, data, at, LittleEndian.ORDER)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
        }
        return IntVector.broadcast(Simd.I, data.get(INT, at))
                .lanewise(VectorOperators.LSHR, IntVector.fromArray(Simd.I, BYTE_SHIFTS, 0)).and(0xFF);
    }

    /** The L signed bytes at {@code at} sign-extended to int lanes ({@link Simd#I}). */
    static IntVector widenSigned(MemorySegment data, long at) {
        if (Simd.L >= 8) {
            return (IntVector) ByteVector.fromMemorySegment(Simd.B, data, at, LittleEndian.ORDER)
                    .convertShape(VectorOperators.B2I, Simd.I, 0);
        }
        return widen(data, at).lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24);
    }

    /** The low nibbles of zero-extended bytes, as floats. */
    static FloatVector low(IntVector v) {
        return (FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0);
    }

    /** The high nibbles of zero-extended bytes, as floats. */
    static FloatVector high(IntVector v) {
        return (FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
    }
}
