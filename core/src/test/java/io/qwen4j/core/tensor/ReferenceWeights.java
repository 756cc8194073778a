package io.qwen4j.core.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Test weights: random GGML data written block by block into off-heap memory, and a plain scalar dequantiser written
 * straight from each block layout (ggml-common.h), independent of the kernels under test.
 */
final class ReferenceWeights {

    static final GGMLType[] TYPES = {GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0,
            GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K,
            GGMLType.Q6_K};

    private static final ValueLayout.OfShort SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ReferenceWeights() {
    }

    /**
     * {@code elements} random values of {@code type}, placed at an odd address (safetensors data is unaligned) inside
     * a larger segment; the returned slice is exactly the data, so reading past it fails.
     */
    static MemorySegment random(GGMLType type, long elements, long seed) {
        Random rnd = new Random(seed);
        long size = type.byteSize(elements);
        MemorySegment whole = Arena.ofAuto().allocate(size + 16, 16);
        MemorySegment seg = whole.asSlice(3, size);
        switch (type) {
            case F32 -> {
                for (long i = 0; i < elements; i++) {
                    seg.set(FLOAT, 4 * i, (float) rnd.nextGaussian());
                }
            }
            case F16 -> {
                for (long i = 0; i < elements; i++) {
                    seg.set(SHORT, 2 * i, Float.floatToFloat16((float) rnd.nextGaussian()));
                }
            }
            case BF16 -> {
                for (long i = 0; i < elements; i++) {
                    seg.set(SHORT, 2 * i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16));
                }
            }
            default -> {
                byte[] bytes = new byte[(int) size];
                rnd.nextBytes(bytes);
                MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
                // the f16 scale (and minimum) of each block: random sign and magnitude, finite
                long[] halfs = switch (type) {
                    case Q8_0, Q4_0, Q5_0 -> new long[] {0};
                    case Q4_1, Q5_1, Q4_K, Q5_K -> new long[] {0, 2};
                    case Q2_K -> new long[] {80, 82};
                    case Q3_K -> new long[] {108};
                    case Q6_K -> new long[] {208};
                    default -> throw new IllegalArgumentException("no test data for " + type);
                };
                for (long b = 0; b < elements / type.blockSize; b++) {
                    for (long at : halfs) {
                        float d = (float) ((rnd.nextBoolean() ? 1 : -1) * (0.001 + 0.1 * rnd.nextDouble()));
                        seg.set(SHORT, b * type.typeSize + at, Float.floatToFloat16(d));
                    }
                }
            }
        }
        return seg;
    }

    /** Elements [first, first + count) in storage order, in double, from the block layout. */
    static double[] dequantize(GGMLType type, MemorySegment seg, long first, int count) {
        double[] out = new double[count];
        for (int k = 0; k < count; k++) {
            out[k] = element(type, seg, first + k)[0];
        }
        return out;
    }

    /**
     * For each element, the sum of the magnitudes of the terms it is made of (|scale * q| + |min|): a kernel in float
     * rounds each term, so its error is relative to this, not to the (possibly cancelled) value.
     */
    static double[] magnitudes(GGMLType type, MemorySegment seg, long first, int count) {
        double[] out = new double[count];
        for (int k = 0; k < count; k++) {
            double[] e = element(type, seg, first + k);
            out[k] = e.length > 1 ? e[1] : Math.abs(e[0]);
        }
        return out;
    }

    private static double f16(MemorySegment seg, long off) {
        return Float.float16ToFloat(seg.get(SHORT, off));
    }

    private static int u8(MemorySegment seg, long off) {
        return seg.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    /** {value} or, for types with a subtracted minimum, {value, |scale * q| + |min|}. */
    private static double[] element(GGMLType type, MemorySegment seg, long i) {
        switch (type) {
            case F32:
                return new double[] {seg.get(FLOAT, 4 * i)};
            case F16:
                return new double[] {f16(seg, 2 * i)};
            case BF16:
                return new double[] {Float.intBitsToFloat((seg.get(SHORT, 2 * i) & 0xFFFF) << 16)};
            case Q8_0: { // {f16 d; int8 qs[32]}
                long blk = (i / 32) * 34;
                int j = (int) (i % 32);
                return new double[] {f16(seg, blk) * seg.get(ValueLayout.JAVA_BYTE, blk + 2 + j)};
            }
            case Q4_0: { // {f16 d; uint8 qs[16]}: j < 16 low nibble of qs[j], j >= 16 high nibble of qs[j - 16]
                long blk = (i / 32) * 18;
                int j = (int) (i % 32);
                return new double[] {f16(seg, blk) * (nibble(seg, blk + 2, j) - 8)};
            }
            case Q4_1: { // {f16 d; f16 m; uint8 qs[16]}: d * q + m
                long blk = (i / 32) * 20;
                int j = (int) (i % 32);
                return withMin(f16(seg, blk) * nibble(seg, blk + 4, j), f16(seg, blk + 2));
            }
            case Q5_0: { // {f16 d; uint8 qh[4]; uint8 qs[16]}: bit 4 of value j is bit j of the 32-bit qh
                long blk = (i / 32) * 22;
                int j = (int) (i % 32);
                int q = nibble(seg, blk + 6, j) | highBit(seg, blk + 2, j) << 4;
                return new double[] {f16(seg, blk) * (q - 16)};
            }
            case Q5_1: { // {f16 d; f16 m; uint8 qh[4]; uint8 qs[16]}
                long blk = (i / 32) * 24;
                int j = (int) (i % 32);
                int q = nibble(seg, blk + 8, j) | highBit(seg, blk + 4, j) << 4;
                return withMin(f16(seg, blk) * q, f16(seg, blk + 2));
            }
            case Q2_K: { // {uint8 scales[16]; uint8 qs[64]; f16 d; f16 dmin}
                long blk = (i / 256) * 84;
                int j = (int) (i % 256);
                int half = j / 128;         // 32 bytes of qs each
                int k = (j % 128) / 32;     // bits 2k..2k+1
                int l = j % 32;
                int q = (u8(seg, blk + 16 + 32L * half + l) >> (2 * k)) & 3;
                int sc = u8(seg, blk + 8L * half + 2 * k + l / 16); // low nibble scale, high nibble min
                return withMin(f16(seg, blk + 80) * (sc & 0xF) * q, -f16(seg, blk + 82) * (sc >> 4));
            }
            case Q3_K: { // {uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; f16 d}
                long blk = (i / 256) * 110;
                int j = (int) (i % 256);
                int half = j / 128;
                int k = (j % 128) / 32;
                int l = j % 32;
                int low = (u8(seg, blk + 32 + 32L * half + l) >> (2 * k)) & 3;
                boolean high = ((u8(seg, blk + l) >> (4 * half + k)) & 1) != 0;
                int q = low - (high ? 0 : 4);
                int s = 8 * half + 2 * k + l / 16; // 16 six-bit scales: low 4 bits in bytes 0-7, top 2 in 8-11
                int sLow = s < 8 ? u8(seg, blk + 96 + s) & 0xF : u8(seg, blk + 96 + s - 8) >> 4;
                int sHigh = (u8(seg, blk + 96 + 8 + s % 4) >> (2 * (s / 4))) & 3;
                return new double[] {f16(seg, blk + 108) * ((sLow | sHigh << 4) - 32) * q};
            }
            case Q4_K: { // {f16 d; f16 dmin; uint8 scales[12]; uint8 qs[128]}
                long blk = (i / 256) * 144;
                int j = (int) (i % 256);
                int sub = j / 32;           // 8 sub-blocks of 32, two per 32 bytes of qs (low, high nibble)
                int l = j % 32;
                int b = u8(seg, blk + 16 + 32L * (sub / 2) + l);
                int q = sub % 2 == 0 ? b & 0xF : b >> 4;
                int[] sm = scaleMin(seg, blk + 4, sub);
                return withMin(f16(seg, blk) * sm[0] * q, -f16(seg, blk + 2) * sm[1]);
            }
            case Q5_K: { // {f16 d; f16 dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]}
                long blk = (i / 256) * 176;
                int j = (int) (i % 256);
                int sub = j / 32;
                int l = j % 32;
                int b = u8(seg, blk + 48 + 32L * (sub / 2) + l);
                int q = (sub % 2 == 0 ? b & 0xF : b >> 4) | ((u8(seg, blk + 16 + l) >> sub) & 1) << 4;
                int[] sm = scaleMin(seg, blk + 4, sub);
                return withMin(f16(seg, blk) * sm[0] * q, -f16(seg, blk + 2) * sm[1]);
            }
            case Q6_K: { // {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d}
                long blk = (i / 256) * 210;
                int j = (int) (i % 256);
                int half = j / 128;         // which 128-value half: ql += 64, qh += 32, scales += 8
                int k = (j % 128) / 32;     // y[l + 32k]
                int l = j % 32;
                long ql = blk + 64L * half;
                long qh = blk + 128 + 32L * half;
                long sc = blk + 192 + 8L * half;
                int low = k == 0 ? u8(seg, ql + l) & 0xF
                        : k == 1 ? u8(seg, ql + l + 32) & 0xF
                        : k == 2 ? u8(seg, ql + l) >> 4
                        : u8(seg, ql + l + 32) >> 4;
                int high = (u8(seg, qh + l) >> (2 * k)) & 3;
                int q = (low | high << 4) - 32;
                int scale = seg.get(ValueLayout.JAVA_BYTE, sc + l / 16 + 2 * k);
                return new double[] {f16(seg, blk + 208) * scale * q};
            }
            default:
                throw new IllegalArgumentException("no reference for " + type);
        }
    }

    private static double[] withMin(double scaled, double min) {
        return new double[] {scaled + min, Math.abs(scaled) + Math.abs(min)};
    }

    /** Value j of a 32-value block: low nibble of qs[j] for j &lt; 16, else high nibble of qs[j - 16]. */
    private static int nibble(MemorySegment seg, long qs, int j) {
        return j < 16 ? u8(seg, qs + j) & 0x0F : u8(seg, qs + j - 16) >> 4;
    }

    /** Bit j of the little-endian 32-bit word at off. */
    private static int highBit(MemorySegment seg, long off, int j) {
        return (u8(seg, off + j / 8) >> (j % 8)) & 1;
    }

    /**
     * K-quant sub-block s (0..7) of 12 packed bytes: six-bit scale and min. s &lt; 4: low 6 bits of bytes s and s + 4;
     * s &gt;= 4: low / high nibble of byte s + 4, with the top two bits in bits 6-7 of bytes s - 4 / s.
     */
    static int[] scaleMin(MemorySegment seg, long scales, int s) {
        if (s < 4) {
            return new int[] {u8(seg, scales + s) & 63, u8(seg, scales + s + 4) & 63};
        }
        int packed = u8(seg, scales + s + 4);
        return new int[] {(packed & 0xF) | (u8(seg, scales + s - 4) >> 6) << 4,
                (packed >> 4) | (u8(seg, scales + s) >> 6) << 4};
    }
}
