package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/** BF16 weights: the top 16 bits of a float, widened in registers (sign-extend, then shift left 16). */
final class BF16Matrix extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;

    BF16Matrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.BF16, rows, cols, data, base);
    }

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            out[outOff + r] = dot(rowOffset(r), x, xOff);
        }
    }

    private FloatVector load(long off) {
        ShortVector s = ShortVector.fromMemorySegment(Simd.S, data, off, LittleEndian.ORDER);
        return ((IntVector) s.convertShape(VectorOperators.S2I, Simd.I, 0))
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    private float scalar(long off) {
        return Float.intBitsToFloat(data.get(LittleEndian.SHORT, off) << 16);
    }

    private float dot(long off, float[] x, int xOff) {
        int n = cols();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        int i = 0;
        for (int upper = n - n % (2 * L); i < upper; i += 2 * L) {
            acc0 = load(off + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = load(off + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xOff + i + L), acc1);
        }
        for (int upper = F.loopBound(n); i < upper; i += L) {
            acc0 = load(off + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += scalar(off + 2L * i) * x[xOff + i];
        }
        return sum;
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        long off = rowOffset(r) + 2L * c0;
        int n = c1 - c0;
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            load(off + 2L * i).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = scalar(off + 2L * i);
        }
    }
}
