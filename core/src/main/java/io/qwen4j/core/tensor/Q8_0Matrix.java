package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

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
        // one row at a time: two rows per pass (sharing the x loads) read two interleaved streams and measured
        // 30-40% slower on a matrix streamed from memory (151936 x 1024), though a little faster from L3
        if (PERMUTE && r1 - r0 >= PERMUTE_ROWS) {
            float[] xp = permute(x, xOff, cols());
            for (int r = r0; r < r1; r++) {
                out[outOff + r] = permutedRow(rowOffset(r), xp);
            }
        } else {
            for (int r = r0; r < r1; r++) {
                out[outOff + r] = row(rowOffset(r), x, xOff);
            }
        }
    }

    /*
     * The permuted path: one load takes QL quants (a whole block at 256 bits) as L int lanes; lane i holds quants
     * 4i .. 4i + 3, and two shifts sign-extend byte k of every lane. That replaces a load, a range check and a
     * sign extension per L quants by one shift and a quarter of a load, at the price of x in the matching order
     * (xp[k * L + i] = x[4i + k] per QL values), made once per call.
     */

    /** Bytes of one int vector: the quants one load of the permuted path covers. */
    private static final VectorSpecies<Byte> BI = VectorSpecies.of(byte.class, Simd.I.vectorShape());
    private static final int QL = BI.length();
    /** At 512 bits one load would span two blocks. */
    private static final boolean PERMUTE = QL <= BLOCK;
    /**
     * Fewer rows than this take the plain path: permuting x costs more than it saves there (JMH, one thread,
     * 1024 columns: -12% at 16 rows, +6% at 64, +15% at 256).
     */
    private static final int PERMUTE_ROWS = 64;
    private static final ThreadLocal<float[][]> PERMUTED = ThreadLocal.withInitial(() -> new float[1][0]);

    /** x[xOff .. xOff + cols) in the lane order of the permuted path, in this thread's buffer. */
    private static float[] permute(float[] x, int xOff, int cols) {
        float[][] holder = PERMUTED.get();
        if (holder[0].length < cols) {
            holder[0] = new float[cols];
        }
        float[] xp = holder[0];
        for (int c = 0; c < cols; c += QL) {
            for (int k = 0; k < 4; k++) {
                for (int i = 0; i < L; i++) {
                    xp[c + k * L + i] = x[xOff + c + 4 * i + k];
                }
            }
        }
        return xp;
    }

    private float permutedRow(long off, float[] xp) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0, blocks = cols() / BLOCK; b < blocks; b++, off += BYTES) {
            float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off));
            int xi = b * BLOCK;
            FloatVector s = FloatVector.zero(F);
            for (int c = 0; c < BLOCK; c += QL) {
                IntVector v = lanes(off + 2 + c);
                for (int k = 0; k < 4; k++) {
                    s = signedByte(v, k).fma(FloatVector.fromArray(F, xp, xi + c + k * L), s);
                }
            }
            acc = s.fma(FloatVector.broadcast(F, d), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** QL quant bytes at {@code at} as L int lanes of four bytes each. */
    private IntVector lanes(long at) {
        return ByteVector.fromMemorySegment(BI, data, at, LittleEndian.ORDER).reinterpretAsInts();
    }

    /** Byte k of every int lane, sign-extended, as floats. */
    private static FloatVector signedByte(IntVector v, int k) {
        IntVector top = k == 3 ? v : v.lanewise(VectorOperators.LSHL, 24 - 8 * k);
        return (FloatVector) top.lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
    }

    /** The plain path: L quants per load. */
    private float row(long off, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0, blocks = cols() / BLOCK; b < blocks; b++, off += BYTES) {
            float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off));
            int xi = xOff + b * BLOCK;
            FloatVector s = FloatVector.zero(F);
            for (int j = 0; j < BLOCK; j += L) {
                s = quants(off + 2 + j).fma(FloatVector.fromArray(F, x, xi + j), s);
            }
            acc = s.fma(FloatVector.broadcast(F, d), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LittleEndian.ORDER);
    private static final int[] BYTE_SHIFTS = {24, 16, 8, 0};

    /**
     * The L quants at {@code at} as floats. The 128-bit build has no 32-bit byte load: it shifts each byte of one
     * int load to the top of its lane and back down with sign (converting part 1 of a 64-bit load costs more nodes
     * of C2's inlining budget).
     */
    private FloatVector quants(long at) {
        if (L >= 8) {
            return (FloatVector) ByteVector.fromMemorySegment(Simd.B, data, at, LittleEndian.ORDER)
                    .convertShape(VectorOperators.B2F, F, 0);
        }
        return (FloatVector) IntVector.broadcast(Simd.I, data.get(INT, at))
                .lanewise(VectorOperators.LSHL, IntVector.fromArray(Simd.I, BYTE_SHIFTS, 0))
                .lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
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
