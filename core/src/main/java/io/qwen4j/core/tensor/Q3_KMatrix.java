package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q3_K: super-blocks of 256 values {@code {uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; f16 d}} in 16 groups of
 * 16. Value l + 32k (l &lt; 32, k &lt; 4) of half h has its low two bits in bits 2k..2k+1 of qs[32h + l] and is
 * {@code q - 4} unless bit 4h + k of hmask[l] is set; group j = 8h + 2k + l / 16 has a signed 6-bit scale
 * (see {@link #scaleBytes}): value = d * (scale - 32) * q.
 */
final class Q3_KMatrix extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;
    private static final int BLOCK = 256;
    private static final int BYTES = 110;
    private static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LittleEndian.ORDER);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LittleEndian.ORDER);

    /** 32 quant bytes unpacked at once with SWAR int ops (x86 has no byte shifts); PARTS float vectors each. */
    private static final VectorSpecies<Byte> QB = L >= 8 ? ByteVector.SPECIES_256 : ByteVector.SPECIES_128;
    private static final int QB_LEN = QB.length();
    private static final int PARTS = QB_LEN / L;

    Q3_KMatrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.Q3_K, rows, cols, data, base);
    }

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            out[outOff + r] = dotRow(rowOffset(r), x, xOff);
        }
    }

    /**
     * The eight 6-bit scales (plus 32) of groups 8h .. 8h + 7, one per byte. Their low 4 bits are the low (h = 0) or
     * high (h = 1) nibbles of scale bytes 0-7; the top two bits of group j are bits 2 (j / 4)..+1 of byte 8 + j % 4.
     */
    private long scaleBytes(long blk, int h) {
        long low = data.get(LONG, blk + SCALES) >>> 4 * h & 0x0F0F0F0F0F0F0F0FL;
        long high = (data.get(INT, blk + SCALES + 8) & 0xFFFFFFFFL) >>> 4 * h;
        return low | ((high & 0x03030303L) | (high >>> 2 & 0x03030303L) << 32) << 4;
    }

    /** One row; the block loop stays in this one method (see {@link Q6_KMatrix}). */
    private float dotRow(long off, float[] x, int xOff) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        for (int blk = 0, blocks = cols() / BLOCK; blk < blocks; blk++, off += BYTES) {
            float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off + D));
            for (int h = 0; h < 2; h++) {
                long scales = scaleBytes(off, h);
                for (int c = 0; c < 32; c += QB_LEN) {
                    IntVector low = ByteVector.fromMemorySegment(QB, data, off + QS + 32L * h + c, LittleEndian.ORDER)
                            .reinterpretAsInts();
                    IntVector high = ByteVector.fromMemorySegment(QB, data, off + c, LittleEndian.ORDER)
                            .reinterpretAsInts().lanewise(VectorOperators.LSHR, 4 * h);
                    for (int k = 0; k < 4; k++) {
                        ByteVector q = low.lanewise(VectorOperators.LSHR, 2 * k).and(0x03030303)
                                .or(high.lanewise(VectorOperators.LSHR, k).and(0x01010101).lanewise(
                                        VectorOperators.LSHL, 2))
                                .reinterpretAsBytes().sub((byte) 4);
                        int xk = xOff + blk * BLOCK + 128 * h + 32 * k + c;
                        for (int p = 0; p < PARTS; p += 2) {
                            float s0 = d * (((int) (scales >>> 8 * (2 * k + (c + p * L) / 16)) & 0xFF) - 32);
                            float s1 = d * (((int) (scales >>> 8 * (2 * k + (c + p * L + L) / 16)) & 0xFF) - 32);
                            acc0 = toFloat(q, p).mul(FloatVector.fromArray(F, x, xk + p * L))
                                    .fma(FloatVector.broadcast(F, s0), acc0);
                            acc1 = toFloat(q, p + 1).mul(FloatVector.fromArray(F, x, xk + p * L + L))
                                    .fma(FloatVector.broadcast(F, s1), acc1);
                        }
                    }
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector toFloat(ByteVector q, int part) {
        return (FloatVector) q.convertShape(VectorOperators.B2F, F, part);
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        long off = rowOffset(r) + (long) (c0 / BLOCK) * BYTES;
        for (int c = c0; c < c1; c += BLOCK, off += BYTES) {
            float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off + D));
            for (int h = 0; h < 2; h++) {
                long scales = scaleBytes(off, h);
                for (int j = 0; j < 32; j += QB_LEN) {
                    IntVector low = ByteVector.fromMemorySegment(QB, data, off + QS + 32L * h + j, LittleEndian.ORDER)
                            .reinterpretAsInts();
                    IntVector high = ByteVector.fromMemorySegment(QB, data, off + j, LittleEndian.ORDER)
                            .reinterpretAsInts().lanewise(VectorOperators.LSHR, 4 * h);
                    for (int k = 0; k < 4; k++) {
                        ByteVector q = low.lanewise(VectorOperators.LSHR, 2 * k).and(0x03030303)
                                .or(high.lanewise(VectorOperators.LSHR, k).and(0x01010101).lanewise(
                                        VectorOperators.LSHL, 2))
                                .reinterpretAsBytes().sub((byte) 4);
                        for (int p = 0; p < PARTS; p++) {
                            int sc = ((int) (scales >>> 8 * (2 * k + (j + p * L) / 16)) & 0xFF) - 32;
                            toFloat(q, p).mul(d * sc).intoArray(dst, dstOff + c - c0 + 128 * h + 32 * k + j + p * L);
                        }
                    }
                }
            }
        }
    }
}
