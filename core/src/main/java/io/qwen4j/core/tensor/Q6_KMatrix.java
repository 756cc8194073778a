package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

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

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            out[outOff + r] = dotRow(rowOffset(r), x, xOff);
        }
    }

    /**
     * One row. Written as loops over the quarter index k rather than unrolled by hand: C2 stops inlining Vector API
     * calls once a method has too many IR nodes (NodeCountInliningCutoff), and a vector op left as a call is boxed on
     * every use. The block loop stays here for the same reason. Bytes are widened to int lanes first because x86 has
     * no byte shifts (and the shift counts vary with k).
     */
    private float dotRow(long off, float[] x, int xOff) {
        // two accumulators (lanes l and l + L) break the FMA dependency chain
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        for (int blk = 0, blocks = cols() / BLOCK; blk < blocks; blk++, off += BYTES) {
            float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off + D));
            for (int h = 0; h < 2; h++) {
                for (int k = 0; k < 4; k++) {
                    long ql = off + 64L * h + 32L * (k & 1);
                    long qh = off + QH + 32L * h;
                    long sc = off + SCALES + 8L * h + 2L * k;
                    int lowShift = 4 * (k >> 1);
                    int highShift = 2 * k;
                    int xk = xOff + blk * BLOCK + 128 * h + 32 * k;
                    for (int l = 0; l < 32; l += 2 * L) {
                        FloatVector q0 = quant(data, ql + l, qh + l, lowShift, highShift);
                        FloatVector q1 = quant(data, ql + l + L, qh + l + L, lowShift, highShift);
                        float s0 = d * data.get(LittleEndian.BYTE, sc + l / 16);
                        float s1 = d * data.get(LittleEndian.BYTE, sc + (l + L) / 16);
                        acc0 = q0.mul(FloatVector.fromArray(F, x, xk + l)).fma(FloatVector.broadcast(F, s0), acc0);
                        acc1 = q1.mul(FloatVector.fromArray(F, x, xk + l + L)).fma(FloatVector.broadcast(F, s1), acc1);
                    }
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * L quants minus 32 of one quarter as floats: low 4 bits from ql (low nibble, or high with lowShift 4), top 2
     * bits from qh shifted right by highShift.
     */
    private static FloatVector quant(MemorySegment data, long ql, long qh, int lowShift, int highShift) {
        IntVector low = widen(data, ql).lanewise(VectorOperators.LSHR, lowShift).and(0x0F);
        IntVector high = widen(data, qh).lanewise(VectorOperators.LSHR, highShift).and(0x03);
        return (FloatVector) low.or(high.lanewise(VectorOperators.LSHL, 4)).sub(32)
                .convert(VectorOperators.I2F, 0);
    }

    /** The L bytes at off as int lanes (sign-extended; callers mask). */
    private static IntVector widen(MemorySegment data, long off) {
        return (IntVector) ByteVector.fromMemorySegment(Simd.B, data, off, LittleEndian.ORDER)
                .convertShape(VectorOperators.B2I, Simd.I, 0);
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        long off = rowOffset(r) + (long) (c0 / BLOCK) * BYTES;
        for (int c = c0; c < c1; c += BLOCK, off += BYTES) {
            float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off + D));
            for (int h = 0; h < 2; h++) {
                for (int k = 0; k < 4; k++) {
                    long ql = off + 64L * h + 32L * (k & 1);
                    long qh = off + QH + 32L * h;
                    long sc = off + SCALES + 8L * h + 2L * k;
                    int o = dstOff + c - c0 + 128 * h + 32 * k;
                    for (int l = 0; l < 32; l += L) {
                        float s = d * data.get(LittleEndian.BYTE, sc + l / 16);
                        quant(data, ql + l, qh + l, 4 * (k >> 1), 2 * k).mul(s).intoArray(dst, o + l);
                    }
                }
            }
        }
    }
}
