package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0: blocks of 32 values {@code {f16 d; uint8 qs[16]}}; value j &lt; 16 is the low nibble of qs[j], value j + 16
 * the high nibble, each (q - 8) * d.
 */
final class Q4_0Matrix extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;
    private static final int BL = Simd.BL;
    private static final int BLOCK = 32;
    private static final int BYTES = 18;

    Q4_0Matrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.Q4_0, rows, cols, data, base);
    }

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        float[] sums = RowScratch.get().sums(x, xOff, cols(), BLOCK);
        int r = r0;
        for (; r + 1 < r1; r += 2) {
            dotRows2(rowOffset(r), x, xOff, sums, out, outOff + r);
        }
        if (r < r1) {
            out[outOff + r] = dotRow(rowOffset(r), x, xOff, sums);
        }
    }

    /**
     * Rows r and r + 1 (at off and off + rowBytes) into out[o], out[o + 1]: each x load feeds both rows, and the
     * per-block scalar work (index checks, loop control) is shared.
     */
    private void dotRows2(long off, float[] x, int xOff, float[] sums, float[] out, int o) {
        long off1 = off + rowBytes;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        float offset0 = 0;
        float offset1 = 0;
        for (int b = 0, blocks = cols() / BLOCK; b < blocks; b++, off += BYTES, off1 += BYTES) {
            float d0 = Float.float16ToFloat(data.get(LittleEndian.SHORT, off));
            float d1 = Float.float16ToFloat(data.get(LittleEndian.SHORT, off1));
            offset0 += d0 * sums[b];
            offset1 += d1 * sums[b];
            int xi = xOff + b * BLOCK;
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = s0;
            for (int j = 0; j < 16; j += L) {
                IntVector v0 = Nibbles.widen(data, off + 2 + j);
                IntVector v1 = Nibbles.widen(data, off1 + 2 + j);
                FloatVector xl = FloatVector.fromArray(F, x, xi + j);
                FloatVector xh = FloatVector.fromArray(F, x, xi + j + 16);
                s0 = Nibbles.low(v0).fma(xl, s0);
                s1 = Nibbles.low(v1).fma(xl, s1);
                s0 = Nibbles.high(v0).fma(xh, s0);
                s1 = Nibbles.high(v1).fma(xh, s1);
            }
            acc0 = s0.fma(FloatVector.broadcast(F, d0), acc0);
            acc1 = s1.fma(FloatVector.broadcast(F, d1), acc1);
        }
        out[o] = acc0.reduceLanes(VectorOperators.ADD) - 8 * offset0;
        out[o + 1] = acc1.reduceLanes(VectorOperators.ADD) - 8 * offset1;
    }

    /**
     * One row as the sum over blocks of d * (q . x) - 8 d * sum(x), with q the unsigned nibbles: the offset costs
     * one scalar product per block instead of a vector sub per element. Quants are widened to int lanes straight
     * from the load (zero extension), where a mask and a shift split both nibbles of the same bytes.
     */
    private float dotRow(long off, float[] x, int xOff, float[] sums) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        float offset = 0;
        for (int b = 0, blocks = cols() / BLOCK; b < blocks; b++, off += BYTES) {
            float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off));
            offset += d * sums[b];
            int xi = xOff + b * BLOCK;
            FloatVector lo = FloatVector.zero(F);
            FloatVector hi = lo;
            for (int j = 0; j < 16; j += L) {
                IntVector v = Nibbles.widen(data, off + 2 + j);
                lo = Nibbles.low(v).fma(FloatVector.fromArray(F, x, xi + j), lo);
                hi = Nibbles.high(v).fma(FloatVector.fromArray(F, x, xi + j + 16), hi);
            }
            FloatVector dv = FloatVector.broadcast(F, d);
            acc0 = lo.fma(dv, acc0);
            acc1 = hi.fma(dv, acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - 8 * offset;
    }

    /** BL quants minus 8 of values j .. j + BL - 1 (j &lt; 16: low nibbles of qs[j ..], else high of qs[j - 16 ..]). */
    private ByteVector quants(long off, int j) {
        ByteVector q = ByteVector.fromMemorySegment(Simd.B, data, off + 2 + (j & 15), LittleEndian.ORDER);
        return (j < 16 ? q.and((byte) 0x0F) : q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F)).sub((byte) 8);
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        long off = rowOffset(r) + (long) (c0 / BLOCK) * BYTES;
        for (int c = c0; c < c1; c += BLOCK, off += BYTES) {
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(LittleEndian.SHORT, off)));
            for (int j = 0; j < BLOCK; j += BL) {
                ByteVector q = quants(off, j);
                for (int p = 0; p < Simd.BPARTS; p++) {
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(d)
                            .intoArray(dst, dstOff + c - c0 + j + p * L);
                }
            }
        }
    }
}
