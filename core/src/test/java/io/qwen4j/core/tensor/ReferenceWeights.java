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
            case Q8_0, Q4_0, Q6_K -> {
                byte[] bytes = new byte[(int) size];
                rnd.nextBytes(bytes);
                MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
                // the f16 scale of each block: random sign and magnitude, finite
                long dAt = type == GGMLType.Q6_K ? 208 : 0;
                for (long b = 0; b < elements / type.blockSize; b++) {
                    float d = (float) ((rnd.nextBoolean() ? 1 : -1) * (0.001 + 0.1 * rnd.nextDouble()));
                    seg.set(SHORT, b * type.typeSize + dAt, Float.floatToFloat16(d));
                }
            }
            default -> throw new IllegalArgumentException("no test data for " + type);
        }
        return seg;
    }

    /** Elements [first, first + count) in storage order, in double, from the block layout. */
    static double[] dequantize(GGMLType type, MemorySegment seg, long first, int count) {
        double[] out = new double[count];
        for (int k = 0; k < count; k++) {
            out[k] = element(type, seg, first + k);
        }
        return out;
    }

    private static double f16(MemorySegment seg, long off) {
        return Float.float16ToFloat(seg.get(SHORT, off));
    }

    private static int u8(MemorySegment seg, long off) {
        return seg.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    private static double element(GGMLType type, MemorySegment seg, long i) {
        switch (type) {
            case F32:
                return seg.get(FLOAT, 4 * i);
            case F16:
                return f16(seg, 2 * i);
            case BF16:
                return Float.intBitsToFloat((seg.get(SHORT, 2 * i) & 0xFFFF) << 16);
            case Q8_0: { // {f16 d; int8 qs[32]}
                long blk = (i / 32) * 34;
                int j = (int) (i % 32);
                return f16(seg, blk) * seg.get(ValueLayout.JAVA_BYTE, blk + 2 + j);
            }
            case Q4_0: { // {f16 d; uint8 qs[16]}: j < 16 low nibble of qs[j], j >= 16 high nibble of qs[j - 16]
                long blk = (i / 32) * 18;
                int j = (int) (i % 32);
                int q = j < 16 ? u8(seg, blk + 2 + j) & 0x0F : u8(seg, blk + 2 + j - 16) >> 4;
                return f16(seg, blk) * (q - 8);
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
                return f16(seg, blk + 208) * scale * q;
            }
            default:
                throw new IllegalArgumentException("no reference for " + type);
        }
    }
}
