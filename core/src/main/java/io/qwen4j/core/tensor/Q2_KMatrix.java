package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q2_K: super-blocks of 256 values {@code {uint8 scales[16]; uint8 qs[64]; f16 d; f16 dmin}} in 16 groups of 16.
 * Value l + 32k (l &lt; 32, k &lt; 4) of half h is bits 2k..2k+1 of qs[32h + l]; it belongs to group
 * j = 8h + 2k + l / 16, whose byte scales[j] holds a 4-bit scale (low nibble) and min (high nibble):
 * {@code d * (scales[j] & 15) * q - dmin * (scales[j] >> 4)}.
 */
final class Q2_KMatrix extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;
    private static final int BLOCK = 256;
    private static final int BYTES = 84;
    private static final int QS = 16;
    private static final int D = 80;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LittleEndian.ORDER);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LittleEndian.ORDER);

    /** 32 quant bytes unpacked at once with SWAR int ops (x86 has no byte shifts); PARTS float vectors each. */
    private static final VectorSpecies<Byte> QB = L >= 8 ? ByteVector.SPECIES_256 : ByteVector.SPECIES_128;
    private static final int QB_LEN = QB.length();
    private static final int PARTS = QB_LEN / L;

    Q2_KMatrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.Q2_K, rows, cols, data, base);
    }

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        float[] sums = RowScratch.get().sums(x, xOff, cols(), 16);
        for (int r = r0; r < r1; r++) {
            out[outOff + r] = dotRow(rowOffset(r), x, xOff, sums);
        }
    }

    /** One row; the block loop stays in this one method (see {@link Q6_KMatrix}). */
    private float dotRow(long off, float[] x, int xOff, float[] sums) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        float minDot = 0;
        for (int blk = 0, blocks = cols() / BLOCK; blk < blocks; blk++, off += BYTES) {
            int dd = data.get(INT, off + D);
            float d = Float.float16ToFloat((short) dd);
            float dmin = Float.float16ToFloat((short) (dd >>> 16));
            for (int h = 0; h < 2; h++) {
                long scales = data.get(LONG, off + 8L * h);
                for (int j = 0; j < 8; j++) {
                    minDot += dmin * ((int) (scales >>> 8 * j + 4) & 0xF) * sums[16 * blk + 8 * h + j];
                }
                for (int c = 0; c < 32; c += QB_LEN) {
                    IntVector raw = ByteVector.fromMemorySegment(QB, data, off + QS + 32L * h + c, LittleEndian.ORDER)
                            .reinterpretAsInts();
                    for (int k = 0; k < 4; k++) {
                        ByteVector q = raw.lanewise(VectorOperators.LSHR, 2 * k).and(0x03030303).reinterpretAsBytes();
                        int xk = xOff + blk * BLOCK + 128 * h + 32 * k + c;
                        for (int p = 0; p < PARTS; p += 2) {
                            float s0 = d * ((int) (scales >>> 8 * (2 * k + (c + p * L) / 16)) & 0xF);
                            float s1 = d * ((int) (scales >>> 8 * (2 * k + (c + p * L + L) / 16)) & 0xF);
                            acc0 = toFloat(q, p).mul(FloatVector.fromArray(F, x, xk + p * L))
                                    .fma(FloatVector.broadcast(F, s0), acc0);
                            acc1 = toFloat(q, p + 1).mul(FloatVector.fromArray(F, x, xk + p * L + L))
                                    .fma(FloatVector.broadcast(F, s1), acc1);
                        }
                    }
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - minDot;
    }

    private static FloatVector toFloat(ByteVector q, int part) {
        return (FloatVector) q.convertShape(VectorOperators.B2F, F, part);
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        long off = rowOffset(r) + (long) (c0 / BLOCK) * BYTES;
        for (int c = c0; c < c1; c += BLOCK, off += BYTES) {
            int dd = data.get(INT, off + D);
            float d = Float.float16ToFloat((short) dd);
            float dmin = Float.float16ToFloat((short) (dd >>> 16));
            for (int h = 0; h < 2; h++) {
                long scales = data.get(LONG, off + 8L * h);
                for (int j = 0; j < 32; j += QB_LEN) {
                    IntVector raw = ByteVector.fromMemorySegment(QB, data, off + QS + 32L * h + j, LittleEndian.ORDER)
                            .reinterpretAsInts();
                    for (int k = 0; k < 4; k++) {
                        ByteVector q = raw.lanewise(VectorOperators.LSHR, 2 * k).and(0x03030303).reinterpretAsBytes();
                        for (int p = 0; p < PARTS; p++) {
                            int sc = (int) (scales >>> 8 * (2 * k + (j + p * L) / 16)) & 0xFF;
                            toFloat(q, p).fma(FloatVector.broadcast(F, d * (sc & 0xF)),
                                    FloatVector.broadcast(F, -(dmin * (sc >> 4))))
                                    .intoArray(dst, dstOff + c - c0 + 128 * h + 32 * k + j + p * L);
                        }
                    }
                }
            }
        }
    }
}
