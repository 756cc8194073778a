package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_1: blocks of 32 values {@code {f16 d; f16 m; uint8 qs[16]}}; value j &lt; 16 is the low nibble of qs[j], value
 * j + 16 the high nibble, each q * d + m. The m terms of a row's dot product are m times the block's sum of x,
 * computed once per call.
 */
final class Q4_1Matrix extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;
    private static final int BL = Simd.BL;
    private static final int BLOCK = 32;
    private static final int BYTES = 20;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LittleEndian.ORDER);

    Q4_1Matrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.Q4_1, rows, cols, data, base);
    }

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        int blocks = cols() / BLOCK;
        float[] sums = RowScratch.get().sums(x, xOff, cols(), BLOCK);
        for (int r = r0; r < r1; r++) {
            long off = rowOffset(r);
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = acc0;
            float minDot = 0;
            int b = 0;
            for (; b + 1 < blocks; b += 2) {
                long o0 = off + (long) b * BYTES;
                long o1 = o0 + BYTES;
                minDot += Float.float16ToFloat(data.get(LittleEndian.SHORT, o0 + 2)) * sums[b]
                        + Float.float16ToFloat(data.get(LittleEndian.SHORT, o1 + 2)) * sums[b + 1];
                acc0 = block(o0, x, xOff + b * BLOCK, acc0);
                acc1 = block(o1, x, xOff + (b + 1) * BLOCK, acc1);
            }
            if (b < blocks) {
                long o0 = off + (long) b * BYTES;
                minDot += Float.float16ToFloat(data.get(LittleEndian.SHORT, o0 + 2)) * sums[b];
                acc0 = block(o0, x, xOff + b * BLOCK, acc0);
            }
            out[outOff + r] = acc0.add(acc1).reduceLanes(VectorOperators.ADD) + minDot;
        }
    }

    /** acc + d * (q . x) for the block at off; one loop over both nibbles keeps the inlined code small. */
    private FloatVector block(long off, float[] x, int xi, FloatVector acc) {
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < BLOCK; j += BL) {
            ByteVector q = nibbles(off, j);
            for (int p = 0; p < Simd.BPARTS; p++) {
                sum = toFloat(q, p).fma(FloatVector.fromArray(F, x, xi + j + p * L), sum);
            }
        }
        float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off));
        return sum.fma(FloatVector.broadcast(F, d), acc);
    }

    /** BL quants of values j .. j + BL - 1 (j &lt; 16: low nibbles of qs[j ..], else high of qs[j - 16 ..]). */
    private ByteVector nibbles(long off, int j) {
        ByteVector q = ByteVector.fromMemorySegment(Simd.B, data, off + 4 + (j & 15), LittleEndian.ORDER);
        return j < 16 ? q.and((byte) 0x0F) : q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F);
    }

    private static FloatVector toFloat(ByteVector q, int part) {
        return (FloatVector) q.convertShape(VectorOperators.B2F, F, part);
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        long off = rowOffset(r) + (long) (c0 / BLOCK) * BYTES;
        for (int c = c0; c < c1; c += BLOCK, off += BYTES) {
            int dm = data.get(INT, off);
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat((short) dm));
            FloatVector m = FloatVector.broadcast(F, Float.float16ToFloat((short) (dm >>> 16)));
            for (int j = 0; j < BLOCK; j += BL) {
                ByteVector q = nibbles(off, j);
                for (int p = 0; p < Simd.BPARTS; p++) {
                    toFloat(q, p).fma(d, m).intoArray(dst, dstOff + c - c0 + j + p * L);
                }
            }
        }
    }
}
