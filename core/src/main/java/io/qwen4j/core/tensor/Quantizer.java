package io.qwen4j.core.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Writes floats as GGML blocks, exactly as llama.cpp's reference quantizers ({@code quantize_row_<type>_ref}, which
 * is also what llama-quantize runs when it has no importance matrix), so that files written here match
 * llama-quantize's byte for byte. Every step is the same float (binary32) operation in the same order as ggml's C;
 * Java does not contract {@code a * b + c} into an FMA, and ggml-base is compiled for the baseline ISA, where C
 * compilers cannot either.
 */
public final class Quantizer {

    private Quantizer() {
    }

    /** True for the types this class can write. */
    public static boolean canQuantize(GGMLType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * Encodes {@code src[srcOff .. srcOff + n)} (n a multiple of {@code type.blockSize}) into {@code dst} at
     * {@code dstOff}, {@code type.byteSize(n)} bytes. Quantised types reject NaN and infinite values (a block holding
     * one has no meaningful scale).
     */
    public static void quantize(GGMLType type, float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        if (!canQuantize(type)) {
            throw new IllegalArgumentException("cannot quantize to " + type + " (supported: F32, F16, BF16, Q8_0, "
                    + "Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)");
        }
        if (n < 0 || n % type.blockSize != 0) {
            throw new IllegalArgumentException(n + " values cannot be written as " + type + ": not a non-negative "
                    + "multiple of the block size " + type.blockSize);
        }
        Objects.checkFromIndexSize(srcOff, n, src.length);
        Objects.checkFromIndexSize(dstOff, type.byteSize(n), dst.byteSize());
        if (type.isQuantized()) {
            requireFinite(type, src, srcOff, n);
        }
        switch (type) {
            case F32 -> MemorySegment.copy(src, srcOff, dst, LittleEndian.FLOAT, dstOff, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(LittleEndian.SHORT, dstOff + 2L * i, Float.floatToFloat16(src[srcOff + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(LittleEndian.SHORT, dstOff + 2L * i, toBF16(src[srcOff + i]));
                }
            }
            case Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 -> LegacyQuantizer.quantize(type, src, srcOff, n, dst, dstOff);
            default -> KQuantizer.quantize(type, src, srcOff, n, dst, dstOff);
        }
    }

    /**
     * Round to nearest even on the top 16 bits, as ggml's GGML_FP32_TO_BF16: a NaN keeps its sign and top payload
     * bits and is made quiet; a finite value that rounds past the largest BF16 becomes infinite.
     */
    static short toBF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 64);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    private static void requireFinite(GGMLType type, float[] src, int srcOff, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(src[srcOff + i])) {
                throw new IllegalArgumentException("cannot quantize to " + type + ": value " + i + " is "
                        + src[srcOff + i]);
            }
        }
    }

    static void putByte(MemorySegment dst, long off, int value) {
        dst.set(ValueLayout.JAVA_BYTE, off, (byte) value);
    }

    static void putHalf(MemorySegment dst, long off, float value) {
        dst.set(LittleEndian.SHORT, off, Float.floatToFloat16(value));
    }

    /** ggml's nearest_int: round half to even (valid for |x| &lt; 2^22, which every caller guarantees). */
    static int nearestInt(float x) {
        return (int) Math.rint(x);
    }
}
