package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
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
        int blocks = cols() / BLOCK;
        for (int r = r0; r < r1; r++) {
            long off = rowOffset(r);
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = acc0;
            int b = 0;
            for (; b + 1 < blocks; b += 2) {
                acc0 = block(off + (long) b * BYTES, x, xOff + b * BLOCK, acc0);
                acc1 = block(off + (long) (b + 1) * BYTES, x, xOff + (b + 1) * BLOCK, acc1);
            }
            if (b < blocks) {
                acc0 = block(off + (long) b * BYTES, x, xOff + b * BLOCK, acc0);
            }
            out[outOff + r] = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
    }

    /**
     * acc + d * ((q - 8) . x) for the block at off. One loop over both nibbles keeps the inlined code small: written
     * out for low and high nibbles, the 128-bit build (two parts per load) passed C2's inlining budget and boxed.
     */
    private FloatVector block(long off, float[] x, int xi, FloatVector acc) {
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < BLOCK; j += BL) {
            ByteVector q = quants(off, j);
            for (int p = 0; p < Simd.BPARTS; p++) {
                sum = ((FloatVector) q.convertShape(VectorOperators.B2F, F, p))
                        .fma(FloatVector.fromArray(F, x, xi + j + p * L), sum);
            }
        }
        float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off));
        return sum.fma(FloatVector.broadcast(F, d), acc);
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
