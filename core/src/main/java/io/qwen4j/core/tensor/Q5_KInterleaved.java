package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q5_K ({@link Q5_KMatrix}) with its rows interleaved ({@link InterleavedMatrix}) and multiplied in 16-bit integers.
 * Each 5-bit quant is stored unpacked as the signed byte q - 16: with an 8-bit activation, sixteen products fit a
 * 16-bit sum (16 * 127 * 16 &lt; 2^15), a whole group of 32 columns. The 16 taken off every quant and the minimums
 * come back per group through the sums of x:
 * {@code d * sc * q - dmin * m = d * sc * (q - 16) + (16 * d * sc - dmin * m)}. Eight bits per weight where Q5_K
 * takes 5.5: decode on these machines is bound by instructions, which the unpacked bytes save.
 * <p>
 * A group of 2L rows holds first, per super-block, the rows' d and dmin as floats and their 6-bit group scales and
 * minimums as bytes, laid out as {@link Q4_KInterleaved} lays them out; after all super-blocks come the quants in
 * steps of four columns ({@link #quantByte}), 64 steps per super-block.
 */
final class Q5_KInterleaved extends Int16Interleaved {

    private static final int BLOCK = K_BLOCK;
    private static final int SRC_BYTES = 176;
    private static final int SRC_QH = 16;
    private static final int SRC_QS = 48;
    private static final long META_BYTES = K_META;

    private final int blocks;
    private final long quants;

    Q5_KInterleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q5_K, rows, cols, packed, base, groupBytes(cols));
        this.blocks = cols / BLOCK;
        this.quants = blocks * META_BYTES;
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * (META_BYTES + 64 * STEP);
    }

    /** The byte offset, from the start of the quants, of row i, column c (8-bit types). */
    private static int quantByte(int i, int c) {
        return (int) ((c >> 2) * STEP + (i / L) * VECTOR_BYTES) + 2 * (2 * (i % L) + (c & 1)) + (c >> 1 & 1);
    }

    /** Each byte q (0 to 31) of v as the signed byte q - 16. */
    private static long centred(long v) {
        long flipped = v ^ 0x1010101010101010L; // q - 16 in five bits
        return flipped | (flipped & 0x1010101010101010L) * 14; // bit 4, the sign, copied to bits 5-7
    }

    /**
     * The bytes of columns 4u .. 4u + 3 (in both ints of v) in their order within the lane pair ({@link
     * #quantByte}): 4u, 4u + 2, 4u + 1, 4u + 3.
     */
    private static long columnOrder(long v) {
        return v & 0xFF0000FFFF0000FFL | (v & 0x0000FF000000FF00L) << 8 | (v >>> 8 & 0x0000FF000000FF00L);
    }

    /**
     * The column of byte k of an int of a step of the 8-bit types, from the step's first column: read as L ints, a
     * half of a step holds in int i row i's columns 4t, 4t + 2, 4t + 1 and 4t + 3 (bytes 0 to 3).
     */
    private static int byteColumn(int k) {
        return (k & 1) * 2 + (k >> 1);
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q5_K matrices at src. */
    static MemorySegment repack(MemorySegment src, int experts, int rows, int cols) {
        int blocks = cols / BLOCK;
        int quants = blocks * (int) META_BYTES;
        int rowBytes = blocks * SRC_BYTES;
        return repack(src, experts, rows, rowBytes, R, groupBytes(cols), (in, out) -> {
            for (int i = 0; i < R; i++) {
                for (int blk = 0, s = i * rowBytes; blk < blocks; blk++, s += SRC_BYTES) {
                    putKMeta(in, s, out, blk * (int) META_BYTES, i);
                    // group g: the low (even g) or high nibbles of qs[32 (g / 2) ..], bit g of qh[..] as bit 4
                    for (int g = 0; g < 8; g++) {
                        int qs = s + SRC_QS + 32 * (g >> 1);
                        int nibble = 4 * (g & 1);
                        // eight columns at a time, a byte each in a long
                        for (int l = 0; l < 32; l += 8) {
                            long q = LittleEndian.getLong(in, qs + l) >>> nibble & 0x0F0F0F0F0F0F0F0FL
                                    | (LittleEndian.getLong(in, s + SRC_QH + l) >>> g & 0x0101010101010101L) << 4;
                            long lanes = columnOrder(centred(q));
                            int c = BLOCK * blk + 32 * g + l;
                            LittleEndian.putInt(out, quants + quantByte(i, c), (int) lanes);
                            LittleEndian.putInt(out, quants + quantByte(i, c + 4), (int) (lanes >>> 32));
                        }
                    }
                }
            }
        });
    }

    /**
     * The groups' offsets (16 d sc - dmin m times the sums of x) first, methods of their own so that each
     * compilation stays within C2's inlining budget (past it, vector calls are left out of line and boxed), then
     * {@link #steps}.
     */
    @Override
    void dotGroup(int g, Input in, float[] out, int o) {
        float[] aux = in.blocks();
        float[] partial = partial();
        long p = groupOffset(g);
        kMinimums(p, aux, partial);
        offsets(p, aux, partial);
        steps(p, in.pairs(), aux, partial);
        System.arraycopy(partial, 0, out, o, R);
    }

    /**
     * One pass per super-block over its 64 steps, added to {@code partial}: each half has a 16-bit sum per lane
     * (sixteen products per group of 32 columns); at a group's last step a row's even and odd lanes are added in 32
     * bits and weighted by the group's 6-bit scale in 32-bit integers (|sum| &lt;= 32 * 16 * 127, sc &lt;= 63, eight
     * groups: below 2^31); the super-block's sum is converted once and scaled by d times the scale of x. Nothing is
     * stored inside the loop: with a store there C2 reloaded the segment's fields at every step. With float group
     * scales from a pass of their own and the loop in a method shared with Q6_K, this kernel was sometimes left out
     * of line and boxed, depending on which kernel C2 compiled first.
     */
    private void steps(long p, int[] pairs, float[] aux, float[] partial) {
        MemorySegment quantData = data; // a local: the field was reloaded and its class checked in every step
        FloatVector first = FloatVector.fromArray(F, partial, 0);
        FloatVector second = FloatVector.fromArray(F, partial, L);
        for (int b = 0; b < blocks; b++) {
            long meta = p + b * META_BYTES;
            long w = p + quants + b * 64 * STEP;
            int x0 = 64 * 2 * b;
            IntVector sum0 = IntVector.zero(I);
            IntVector sum1 = sum0;
            ShortVector a0 = ShortVector.zero(S);
            ShortVector a1 = a0;
            for (int t = 0; t < 64; t++) {
                long at = w + t * STEP;
                ShortVector v0 = ShortVector.fromMemorySegment(S, quantData, at, LittleEndian.ORDER);
                ShortVector v1 = ShortVector.fromMemorySegment(S, quantData, at + VECTOR_BYTES, LittleEndian.ORDER);
                ShortVector x = IntVector.broadcast(I, pairs[x0 + 2 * t]).reinterpretAsShorts();
                a0 = v0.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(x).add(a0);
                a1 = v1.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(x).add(a1);
                x = IntVector.broadcast(I, pairs[x0 + 2 * t + 1]).reinterpretAsShorts();
                a0 = v0.lanewise(VectorOperators.ASHR, 8).mul(x).add(a0);
                a1 = v1.lanewise(VectorOperators.ASHR, 8).mul(x).add(a1);
                if ((t & 7) == 7) {
                    int s = t >>> 3;
                    long sc = meta + SC + (s >> 2) * 4L * R;
                    int down = 8 * (s & 3);
                    IntVector l0 = a0.reinterpretAsInts();
                    IntVector l1 = a1.reinterpretAsInts();
                    IntVector r0 = l0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(l0.lanewise(VectorOperators.ASHR, 16));
                    IntVector r1 = l1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(l1.lanewise(VectorOperators.ASHR, 16));
                    sum0 = r0.mul(IntVector.fromMemorySegment(I, quantData, sc, LittleEndian.ORDER)
                            .lanewise(VectorOperators.LSHR, down).and(0xFF)).add(sum0);
                    sum1 = r1.mul(IntVector.fromMemorySegment(I, quantData, sc + 4L * L, LittleEndian.ORDER)
                            .lanewise(VectorOperators.LSHR, down).and(0xFF)).add(sum1);
                    a0 = ShortVector.zero(S);
                    a1 = a0;
                }
            }
            float dx = aux[9 * b]; // the Q8_K scale of x (prepareInput)
            first = ((FloatVector) sum0.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromMemorySegment(F, quantData, meta, LittleEndian.ORDER).mul(dx), first);
            second = ((FloatVector) sum1.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromMemorySegment(F, quantData, meta + 4L * L, LittleEndian.ORDER).mul(dx),
                            second);
        }
        first.intoArray(partial, 0);
        second.intoArray(partial, L);
    }

    /** {@code partial[0 .. 2L)} += 16 * dx * d * (sum over groups of sc * sum of x): the 16 taken off each quant. */
    private void offsets(long p, float[] aux, float[] partial) {
        kWeightedSums(p, SC, 0, 16f, aux, partial);
    }

    /** Per step and half, read as L ints ({@link #byteColumn}). */
    @Override
    void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride) {
        float[] factors = factors();
        long p = groupOffset(g);
        for (int b = c0 / BLOCK; b < c1 / BLOCK; b++) {
            long meta = p + b * META_BYTES;
            for (int half = 0; half < 2; half++) {
                kGroupFactors(meta, half, factors);
                for (int s = 0; s < 8; s++) {
                    // q * (d * sc) + -(dmin * m)
                    FloatVector scale = FloatVector.fromArray(F, factors, s * L);
                    FloatVector min = FloatVector.fromArray(F, factors, (8 + s) * L);
                    for (int k = 0; k < 8; k++) {
                        int t = 8 * s + k;
                        IntVector v = IntVector.fromMemorySegment(I, data,
                                p + quants + (64L * b + t) * STEP + VECTOR_BYTES * half, LittleEndian.ORDER);
                        int col = dstOff + (BLOCK * b - c0 + 4 * t) * stride + L * half;
                        for (int n = 0; n < 4; n++) {
                            signedByte(v, n).add(16f).fma(scale, min).intoArray(dst, col + byteColumn(n) * stride);
                        }
                    }
                }
            }
        }
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        int i = r % R;
        long p = groupOffset(r / R);
        for (int b = c0 / BLOCK; b < c1 / BLOCK; b++) {
            long meta = p + b * META_BYTES + 4L * i;
            float d = data.get(LittleEndian.FLOAT, meta);
            float dmin = data.get(LittleEndian.FLOAT, meta + DMIN);
            int o = dstOff + BLOCK * b - c0;
            for (int c = 0; c < BLOCK; c++) {
                int s = c / 32;
                int sc = data.get(ValueLayout.JAVA_BYTE, meta + SC + (s >> 2) * 4L * R + (s & 3)) & 0xFF;
                int m = data.get(ValueLayout.JAVA_BYTE, meta + M + (s >> 2) * 4L * R + (s & 3)) & 0xFF;
                int q = data.get(ValueLayout.JAVA_BYTE, p + quants + quantByte(i, BLOCK * b + c)) + 16;
                dst[o + c] = q * (d * sc) + -(dmin * m);
            }
        }
    }
}
