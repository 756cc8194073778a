package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/** F32 weights: little-endian floats, dotted straight from memory. */
final class F32Matrix extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;

    F32Matrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.F32, rows, cols, data, base);
    }

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            out[outOff + r] = dot(rowOffset(r), x, xOff);
        }
    }

    private float dot(long off, float[] x, int xOff) {
        int n = cols();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        int i = 0;
        for (int upper = n - n % (2 * L); i < upper; i += 2 * L) {
            acc0 = FloatVector.fromMemorySegment(F, data, off + 4L * i, LittleEndian.ORDER)
                    .fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, data, off + 4L * (i + L), LittleEndian.ORDER)
                    .fma(FloatVector.fromArray(F, x, xOff + i + L), acc1);
        }
        for (int upper = F.loopBound(n); i < upper; i += L) {
            acc0 = FloatVector.fromMemorySegment(F, data, off + 4L * i, LittleEndian.ORDER)
                    .fma(FloatVector.fromArray(F, x, xOff + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += data.get(LittleEndian.FLOAT, off + 4L * i) * x[xOff + i];
        }
        return sum;
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        MemorySegment.copy(data, LittleEndian.FLOAT, rowOffset(r) + 4L * c0, dst, dstOff, c1 - c0);
    }
}
