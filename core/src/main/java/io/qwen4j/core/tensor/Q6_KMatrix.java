package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q6_K: super-blocks of 256 values {@code {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d}}. Each half of 128
 * values uses 64 bytes of ql, 32 of qh and 8 scales: for l &lt; 32, value l + 32k (k = 0..3) takes its low 4 bits from
 * ql[l + 32 (k &amp; 1)] (low nibble for k &lt; 2, high nibble otherwise) and its top 2 bits from bits 2k..2k+1 of
 * qh[l]; it equals d * scales[l / 16 + 2k] * (q - 32).
 */
final class Q6_KMatrix extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;
    private static final int BLOCK = 256;
    private static final int BYTES = 210;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    Q6_KMatrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.Q6_K, rows, cols, data, base);
    }

    /**
     * Quants are unpacked a whole quarter row (32 bytes) at a time with SWAR int ops: shifting int lanes and masking
     * every byte does per-byte shifts, which x86 lacks. One chunk widens into PARTS float vectors.
     */
    private static final VectorSpecies<Byte> QB = L >= 8 ? ByteVector.SPECIES_256 : ByteVector.SPECIES_128;
    private static final int QB_LEN = QB.length();
    private static final int PARTS = QB_LEN / L;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LittleEndian.ORDER);

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            out[outOff + r] = dotRow(rowOffset(r), x, xOff);
        }
    }

    /**
     * One row. The eight scales of a half are read as one long and taken apart with scalar shifts inside the loop,
     * where that work overlaps with the vector work (a separate pass over the scales cost a third of the time).
     * Written as loops over the quarter index k rather than unrolled by hand: C2 stops inlining Vector API calls once a
     * method has too many IR nodes (NodeCountInliningCutoff), and a vector op left as a call is boxed on every use.
     * The block loop stays in this method for the same reason.
     */
    private float dotRow(long off, float[] x, int xOff) {
        // two accumulators (even and odd parts, PARTS is even) break the FMA dependency chain
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        for (int blk = 0, blocks = cols() / BLOCK; blk < blocks; blk++, off += BYTES) {
            float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off + D));
            for (int h = 0; h < 2; h++) {
                long qh = off + QH + 32L * h;
                long scales = data.get(LONG, off + SCALES + 8L * h);
                for (int k = 0; k < 4; k++) {
                    long ql = off + 64L * h + 32L * (k & 1);
                    int xk = xOff + blk * BLOCK + 128 * h + 32 * k;
                    for (int c = 0; c < 32; c += QB_LEN) {
                        ByteVector q = quant(data, ql + c, qh + c, k);
                        for (int p = 0; p < PARTS; p += 2) {
                            int l = c + p * L;
                            float s0 = d * (byte) (scales >>> 8 * (2 * k + l / 16));
                            float s1 = d * (byte) (scales >>> 8 * (2 * k + (l + L) / 16));
                            acc0 = toFloat(q, p).mul(FloatVector.fromArray(F, x, xk + l))
                                    .fma(FloatVector.broadcast(F, s0), acc0);
                            acc1 = toFloat(q, p + 1).mul(FloatVector.fromArray(F, x, xk + l + L))
                                    .fma(FloatVector.broadcast(F, s1), acc1);
                        }
                    }
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * QB_LEN quants (minus 32) of quarter k: low 4 bits from ql (low nibble for k &lt; 2, high nibble otherwise),
     * top 2 bits from bits 2k..2k+1 of qh.
     */
    private static ByteVector quant(MemorySegment data, long ql, long qh, int k) {
        IntVector low = ByteVector.fromMemorySegment(QB, data, ql, LittleEndian.ORDER).reinterpretAsInts()
                .lanewise(VectorOperators.LSHR, 4 * (k >> 1)).and(0x0F0F0F0F);
        IntVector high = ByteVector.fromMemorySegment(QB, data, qh, LittleEndian.ORDER).reinterpretAsInts()
                .lanewise(VectorOperators.LSHR, 2 * k).and(0x03030303).lanewise(VectorOperators.LSHL, 4);
        return low.or(high).reinterpretAsBytes().sub((byte) 32);
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
                long qh = off + QH + 32L * h;
                long scales = data.get(LONG, off + SCALES + 8L * h);
                for (int k = 0; k < 4; k++) {
                    long ql = off + 64L * h + 32L * (k & 1);
                    int o = dstOff + c - c0 + 128 * h + 32 * k;
                    for (int j = 0; j < 32; j += QB_LEN) {
                        ByteVector q = quant(data, ql + j, qh + j, k);
                        for (int p = 0; p < PARTS; p++) {
                            int l = j + p * L;
                            toFloat(q, p).mul(d * (byte) (scales >>> 8 * (2 * k + l / 16))).intoArray(dst, o + l);
                        }
                    }
                }
            }
        }
    }
}
