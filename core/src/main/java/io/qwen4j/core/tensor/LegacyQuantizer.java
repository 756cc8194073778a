package io.qwen4j.core.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.qwen4j.core.tensor.Quantizer.putByte;
import static io.qwen4j.core.tensor.Quantizer.putHalf;

/**
 * The 32-value block types (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) as ggml's {@code quantize_row_*_ref} writes them: one scale
 * (and for the _1 types a minimum) per block, values rounded on the grid it spans. Arguments are checked by
 * {@link Quantizer}.
 */
final class LegacyQuantizer {

    private static final int QK = 32;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LittleEndian.ORDER);

    private LegacyQuantizer() {
    }

    static void quantize(GGMLType type, float[] x, int xOff, int n, MemorySegment dst, long dstOff) {
        for (int b = 0; b < n / QK; b++) {
            int xi = xOff + b * QK;
            long o = dstOff + (long) b * type.typeSize;
            switch (type) {
                case Q8_0 -> q8_0(x, xi, dst, o);
                case Q4_0 -> q4_0(x, xi, dst, o);
                case Q4_1 -> q4_1(x, xi, dst, o);
                case Q5_0 -> q5_0(x, xi, dst, o);
                case Q5_1 -> q5_1(x, xi, dst, o);
                default -> throw new IllegalArgumentException("not a 32-value block type: " + type);
            }
        }
    }

    /** {f16 d; int8 qs[32]}: d = amax / 127, q = roundf(x / d) (half away from zero). */
    private static void q8_0(float[] x, int xi, MemorySegment dst, long o) {
        float amax = 0;
        for (int j = 0; j < QK; j++) {
            amax = Math.max(amax, Math.abs(x[xi + j]));
        }
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putHalf(dst, o, d);
        for (int j = 0; j < QK; j++) {
            putByte(dst, o + 2 + j, roundHalfAway(x[xi + j] * id));
        }
    }

    /** {f16 d; uint8 qs[16]}: d = (the signed value of largest magnitude) / -8, q = x / d + 8 truncated. */
    private static void q4_0(float[] x, int xi, MemorySegment dst, long o) {
        float d = signedMax(x, xi) / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putHalf(dst, o, d);
        for (int j = 0; j < QK / 2; j++) {
            int q0 = Math.min(15, (int) (x[xi + j] * id + 8.5f));
            int q1 = Math.min(15, (int) (x[xi + QK / 2 + j] * id + 8.5f));
            putByte(dst, o + 2 + j, q0 | q1 << 4);
        }
    }

    /** {f16 d; f16 m; uint8 qs[16]}: m = min, d = (max - min) / 15. */
    private static void q4_1(float[] x, int xi, MemorySegment dst, long o) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < QK; j++) {
            float v = x[xi + j];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        float d = (max - min) / 15;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putHalf(dst, o, d);
        putHalf(dst, o + 2, min);
        for (int j = 0; j < QK / 2; j++) {
            int q0 = Math.min(15, (int) ((x[xi + j] - min) * id + 0.5f));
            int q1 = Math.min(15, (int) ((x[xi + QK / 2 + j] - min) * id + 0.5f));
            putByte(dst, o + 4 + j, q0 | q1 << 4);
        }
    }

    /** {f16 d; uint32 qh; uint8 qs[16]}: as Q4_0 with d = max / -16; bit 4 of value j is bit j of qh. */
    private static void q5_0(float[] x, int xi, MemorySegment dst, long o) {
        float d = signedMax(x, xi) / -16;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putHalf(dst, o, d);
        int qh = 0;
        for (int j = 0; j < QK / 2; j++) {
            int q0 = Math.min(31, (int) (x[xi + j] * id + 16.5f));
            int q1 = Math.min(31, (int) (x[xi + QK / 2 + j] * id + 16.5f));
            putByte(dst, o + 6 + j, (q0 & 0x0F) | (q1 & 0x0F) << 4);
            qh |= (q0 >> 4) << j | (q1 >> 4) << (j + QK / 2);
        }
        dst.set(INT, o + 2, qh);
    }

    /** {f16 d; f16 m; uint32 qh; uint8 qs[16]}: as Q4_1 with d = (max - min) / 31 and Q5_0's high bits. */
    private static void q5_1(float[] x, int xi, MemorySegment dst, long o) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < QK; j++) {
            float v = x[xi + j];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        float d = (max - min) / 31;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putHalf(dst, o, d);
        putHalf(dst, o + 2, min);
        int qh = 0;
        for (int j = 0; j < QK / 2; j++) {
            int q0 = (int) ((x[xi + j] - min) * id + 0.5f);
            int q1 = (int) ((x[xi + QK / 2 + j] - min) * id + 0.5f);
            putByte(dst, o + 8 + j, (q0 & 0x0F) | (q1 & 0x0F) << 4);
            qh |= ((q0 >> 4) & 1) << j | ((q1 >> 4) & 1) << (j + QK / 2);
        }
        dst.set(INT, o + 4, qh);
    }

    /** The value of largest magnitude with its sign; the first one on ties. */
    private static float signedMax(float[] x, int xi) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < QK; j++) {
            float v = x[xi + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /** C's roundf: half away from zero (Math.round rounds half up, which differs for negative halves). */
    private static int roundHalfAway(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }
}
