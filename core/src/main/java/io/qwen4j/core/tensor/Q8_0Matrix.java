package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/** Q8_0: blocks of 32 values {@code {f16 d; int8 qs[32]}}, value = qs[j] * d. */
final class Q8_0Matrix extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;
    private static final int BL = Simd.BL;
    private static final int BLOCK = 32;
    private static final int BYTES = 34;

    Q8_0Matrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.Q8_0, rows, cols, data, base);
    }

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        int blocks = cols() / BLOCK;
        for (int r = r0; r < r1; r++) {
            long off = rowOffset(r);
            // two independent accumulators (even and odd blocks) hide the FMA latency
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

    /** acc + d * (qs . x) for the block at off. */
    private FloatVector block(long off, float[] x, int xi, FloatVector acc) {
        FloatVector sum = FloatVector.zero(F);
        for (int c = 0; c < BLOCK; c += BL) {
            ByteVector q = ByteVector.fromMemorySegment(Simd.B, data, off + 2 + c, LittleEndian.ORDER);
            for (int p = 0; p < Simd.BPARTS; p++) {
                FloatVector qf = (FloatVector) q.convertShape(VectorOperators.B2F, F, p);
                sum = qf.fma(FloatVector.fromArray(F, x, xi + c + p * L), sum);
            }
        }
        float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off));
        return sum.fma(FloatVector.broadcast(F, d), acc);
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        long off = rowOffset(r) + (long) (c0 / BLOCK) * BYTES;
        for (int c = c0; c < c1; c += BLOCK, off += BYTES) {
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(LittleEndian.SHORT, off)));
            int o = dstOff + c - c0;
            for (int j = 0; j < BLOCK; j += BL) {
                ByteVector q = ByteVector.fromMemorySegment(Simd.B, data, off + 2 + j, LittleEndian.ORDER);
                for (int p = 0; p < Simd.BPARTS; p++) {
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, o + j + p * L);
                }
            }
        }
    }
}
