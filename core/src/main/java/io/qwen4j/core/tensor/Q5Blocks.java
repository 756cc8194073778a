package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q5_0 {@code {f16 d; uint32 qh; uint8 qs[16]}} and Q5_1 {@code {f16 d; f16 m; uint32 qh; uint8 qs[16]}}: blocks of
 * 32 values, value j &lt; 16 the low nibble of qs[j], value j + 16 the high nibble, with bit j of qh as bit 4. Q5_0 is
 * (q - 16) * d, Q5_1 q * d + m; Q5_1's m terms are m times the block's sum of x, computed once per call. The high
 * bits of L values are a lane mask ({@link VectorMask#fromLong}) for a masked add of 16: a k-register move on
 * AVX-512, and no boxing at 256 or 128 bits either (an int-lane variable-shift version boxed at 128 bits).
 */
final class Q5Blocks extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;
    private static final int BL = Simd.BL;
    private static final int BLOCK = 32;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LittleEndian.ORDER);

    /** Q5_1 (with m) rather than Q5_0. */
    private final boolean withMin;
    private final int bytes;
    /** Offsets of qh and qs in a block. */
    private final int qh;
    private final int qs;
    /** What is subtracted from every 5-bit q: 16 for Q5_0, 0 for Q5_1. */
    private final int offset;

    Q5Blocks(String name, GGMLType type, int rows, int cols, MemorySegment data, long base) {
        super(name, type, rows, cols, data, base);
        if (type != GGMLType.Q5_0 && type != GGMLType.Q5_1) {
            throw new IllegalArgumentException("not a 5-bit block type: " + type);
        }
        withMin = type == GGMLType.Q5_1;
        bytes = type.typeSize;
        qh = withMin ? 4 : 2;
        qs = qh + 4;
        offset = withMin ? 0 : 16;
    }

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        int blocks = cols() / BLOCK;
        float[] sums = withMin ? RowScratch.get().sums(x, xOff, cols(), BLOCK) : null;
        for (int r = r0; r < r1; r++) {
            long off = rowOffset(r);
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = acc0;
            float minDot = 0;
            int b = 0;
            for (; b + 1 < blocks; b += 2) {
                long o0 = off + (long) b * bytes;
                long o1 = o0 + bytes;
                if (withMin) {
                    minDot += Float.float16ToFloat(data.get(LittleEndian.SHORT, o0 + 2)) * sums[b]
                            + Float.float16ToFloat(data.get(LittleEndian.SHORT, o1 + 2)) * sums[b + 1];
                }
                acc0 = block(o0, x, xOff + b * BLOCK, acc0);
                acc1 = block(o1, x, xOff + (b + 1) * BLOCK, acc1);
            }
            if (b < blocks) {
                long o0 = off + (long) b * bytes;
                if (withMin) {
                    minDot += Float.float16ToFloat(data.get(LittleEndian.SHORT, o0 + 2)) * sums[b];
                }
                acc0 = block(o0, x, xOff + b * BLOCK, acc0);
            }
            out[outOff + r] = acc0.add(acc1).reduceLanes(VectorOperators.ADD) + minDot;
        }
    }

    /** acc + d * (q . x) for the block at off; one loop over both nibbles keeps the inlined code small. */
    private FloatVector block(long off, float[] x, int xi, FloatVector acc) {
        int bits = data.get(INT, off + qh);
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < BLOCK; j += BL) {
            ByteVector q = nibbles(off, j);
            for (int p = 0; p < Simd.BPARTS; p++) {
                int e = j + p * L;
                FloatVector v = ((FloatVector) q.convertShape(VectorOperators.B2F, F, p))
                        .lanewise(VectorOperators.ADD, 16f, VectorMask.fromLong(F, bits >>> e)).sub(offset);
                sum = v.fma(FloatVector.fromArray(F, x, xi + e), sum);
            }
        }
        float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off));
        return sum.fma(FloatVector.broadcast(F, d), acc);
    }

    /** BL low 4-bit quants of values j .. j + BL - 1 (j &lt; 16: low nibbles of qs[j ..], else high of qs[j - 16 ..]). */
    private ByteVector nibbles(long off, int j) {
        ByteVector q = ByteVector.fromMemorySegment(Simd.B, data, off + qs + (j & 15), LittleEndian.ORDER);
        return j < 16 ? q.and((byte) 0x0F) : q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F);
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        long off = rowOffset(r) + (long) (c0 / BLOCK) * bytes;
        for (int c = c0; c < c1; c += BLOCK, off += bytes) {
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(LittleEndian.SHORT, off)));
            FloatVector m = FloatVector.broadcast(F,
                    withMin ? Float.float16ToFloat(data.get(LittleEndian.SHORT, off + 2)) : 0f);
            int bits = data.get(INT, off + qh);
            for (int j = 0; j < BLOCK; j += BL) {
                ByteVector q = nibbles(off, j);
                for (int p = 0; p < Simd.BPARTS; p++) {
                    int e = j + p * L;
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, p))
                            .lanewise(VectorOperators.ADD, 16f, VectorMask.fromLong(F, bits >>> e)).sub(offset)
                            .fma(d, m).intoArray(dst, dstOff + c - c0 + e);
                }
            }
        }
    }
}
