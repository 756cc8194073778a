package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q6_K ({@link Q6_KMatrix}) with its rows interleaved ({@link InterleavedMatrix}) and multiplied in 16-bit integers,
 * as {@link Q4_KInterleaved} is. The quants keep their 6 bits, packed so that 32-bit shifts and masks take them out
 * (eight per lane in three 16-bit words, {@link #value}), and a lane's 16-bit sum of q * x over a group of 16
 * columns is corrected once for the 32 taken off every quant ({@link #putBiases}): the corrected sum
 * of eight products fits 16 bits (32 * 127 * 8 &lt; 2^15). An earlier layout with a byte per quant needed fewer
 * instructions but read 8.6 bits per weight where this reads 6.6; decode of the large output matrices is bound by
 * memory, and there the smaller layout was faster.
 * <p>
 * A group of 2L rows holds first, per super-block, the rows' d as floats and their sixteen int8 group scales (one
 * int per row for groups 0-3, then 4-7, 8-11, 12-15); after all super-blocks come the quants, one step per group
 * of 16 columns: three vectors for half 0 then three for half 1, lane 2i + p holding the columns 2n + p (n &lt; 8)
 * of the half's row i.
 */
final class Q6_KInterleaved extends Int16Interleaved {

    private static final int BLOCK = K_BLOCK;
    private static final int SRC_BYTES = 210;
    private static final int SRC_QH = 128;
    private static final int SRC_SCALES = 192;
    private static final int SRC_D = 208;
    /** Per super-block: d (floats), then the group scales (four ints per row). */
    private static final long GROUP_SCALES = 4L * R;
    private static final long META_BYTES = 20L * R;

    /** A step: one group of 16 columns, three 16-bit vectors per half. */
    private static final long GROUP_STEP = 6 * VECTOR_BYTES;
    /** The 6 bits of a quant in both 16-bit halves of an int, and the parts of the last two values of a lane. */
    private static final int SIX = 0x003F003F;
    private static final int HIGH_TWO = 0x00300030;

    private final int blocks;
    private final long quants;

    Q6_KInterleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q6_K, rows, cols, packed, base, groupBytes(cols));
        this.blocks = cols / BLOCK;
        this.quants = blocks * META_BYTES;
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * (META_BYTES + 16 * GROUP_STEP);
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q6_K matrices at src. */
    static MemorySegment repack(MemorySegment src, int experts, int rows, int cols) {
        int blocks = cols / BLOCK;
        int quants = blocks * (int) META_BYTES;
        int rowBytes = blocks * SRC_BYTES;
        return repack(src, experts, rows, rowBytes, R, groupBytes(cols), (in, out) -> {
            byte[] q = new byte[BLOCK]; // the 6-bit quants of one super-block of a row, 0 to 63
            for (int i = 0; i < R; i++) {
                for (int blk = 0, s = i * rowBytes; blk < blocks; blk++, s += SRC_BYTES) {
                    int meta = blk * (int) META_BYTES + 4 * i;
                    LittleEndian.putFloat(out, meta, Float.float16ToFloat(LittleEndian.getShort(in, s + SRC_D)));
                    for (int k = 0; k < 4; k++) {
                        LittleEndian.putInt(out, meta + (int) GROUP_SCALES + 4 * R * k,
                                LittleEndian.getInt(in, s + SRC_SCALES + 4 * k));
                    }
                    // column 128h + 32k + l: low bits from ql[64h + 32 (k & 1) + l] (high nibble for k >= 2),
                    // high bits 2k, 2k + 1 of qh[32h + l]
                    for (int h = 0; h < 2; h++) {
                        for (int k = 0; k < 4; k++) {
                            int ql = s + 64 * h + 32 * (k & 1);
                            int qh = s + SRC_QH + 32 * h;
                            int nibble = 4 * (k >> 1);
                            for (int l = 0; l < 32; l += 8) { // eight columns at a time, a byte each in a long
                                LittleEndian.putLong(q, 128 * h + 32 * k + l,
                                        LittleEndian.getLong(in, ql + l) >>> nibble & 0x0F0F0F0F0F0F0F0FL
                                        | (LittleEndian.getLong(in, qh + l) >>> 2 * k & 0x0303030303030303L) << 4);
                            }
                        }
                    }
                    // the eight quants of a lane in group g are the columns 16g + 2n + parity; a row's even and odd
                    // lanes are neighbours, so each of its three words is written for both parities as one int
                    for (int g = 0; g < 16; g++) {
                        int at = quants + (int) wordOffset(16 * blk + g, i, 0, 0);
                        int c = 16 * g;
                        LittleEndian.putInt(out, at, word(q, c, 0) | word(q, c + 1, 0) << 16);
                        LittleEndian.putInt(out, at + (int) VECTOR_BYTES, word(q, c, 1) | word(q, c + 1, 1) << 16);
                        LittleEndian.putInt(out, at + 2 * (int) VECTOR_BYTES,
                                word(q, c, 2) | word(q, c + 1, 2) << 16);
                    }
                }
            }
        });
    }

    /**
     * The byte offset, from the start of the quants, of word k (0 to 2) of row i's lane for the columns of the given
     * parity in group g (counted over the whole row).
     */
    private static long wordOffset(int g, int i, int k, int parity) {
        return g * GROUP_STEP + (3L * (i / L) + k) * VECTOR_BYTES + 2 * (2 * (i % L) + parity);
    }

    /** Word k (0 to 2) of the lane whose first quant is column c of q ({@link #value} reads them back). */
    private static int word(byte[] q, int c, int k) {
        return switch (k) {
            case 0 -> q[c] | q[c + 2] << 6 | (q[c + 12] & 15) << 12;
            case 1 -> q[c + 4] | q[c + 6] << 6 | (q[c + 14] & 15) << 12;
            default -> q[c + 8] | q[c + 10] << 6 | (q[c + 12] >> 4) << 12 | (q[c + 14] >> 4) << 14;
        };
    }

    /**
     * Quant n (0 to 7, column 2n + parity of the group) of a lane from its three words: n &lt; 6 are the low 12 bits
     * of the words in pairs; 6 and 7 have their low 4 bits on top of words 0 and 1 and their high 2 bits on top of
     * word 2.
     */
    private static int value(int w0, int w1, int w2, int n) {
        return switch (n) {
            case 0 -> w0 & 63;
            case 1 -> w0 >> 6 & 63;
            case 2 -> w1 & 63;
            case 3 -> w1 >> 6 & 63;
            case 4 -> w2 & 63;
            case 5 -> w2 >> 6 & 63;
            case 6 -> (w0 >> 12 & 15) | (w2 >> 12 & 3) << 4;
            default -> (w1 >> 12 & 15) | (w2 >> 14 & 3) << 4;
        };
    }

    /**
     * For a type that stores q unsigned and takes {@code offset} off each (Q6_K: 32): per group of groupCols
     * columns, minus offset times the sums of the group's even and of its odd columns of x, as the two 16-bit halves
     * of an int. Added to a lane's 16-bit sum of q * x, it gives the sum of (q - offset) * x, which fits 16 bits; the
     * sum of q * x alone need not, but 16-bit sums wrap, so the result is exact.
     */
    private static void putBiases(int[] pairs, int cols, int groupCols, int offset, int[] biases) {
        for (int g = 0; g < cols / groupCols; g++) {
            int even = 0;
            int odd = 0;
            for (int k = g * groupCols / 2; k < (g + 1) * groupCols / 2; k++) {
                even += (short) pairs[k];
                odd += pairs[k] >> 16;
            }
            biases[g] = -offset * even & 0xFFFF | -offset * odd << 16;
        }
    }

    @Override
    void prepareInput(float[] x, int xOff, Input in) {
        super.prepareInput(x, xOff, in);
        putBiases(in.pairs(), cols(), 16, 32, in.biases(cols() / 16));
    }

    /**
     * One pass per super-block over its 16 groups of 16 columns: each half has a 16-bit sum per lane (eight
     * products); the group's bias is added, a row's even and odd lanes are added in 32 bits and weighted by the
     * group's int8 scale in 32-bit integers (|sum| &lt;= 16 * 32 * 127 and |sc| &lt;= 128, sixteen groups: below
     * 2^31); the super-block's sum is converted once and scaled by d times the scale of x. Computing the float group
     * scales in a pass of their own cost about 15% of this kernel. The quants are taken out with 32-bit shifts: C2
     * emits 16-bit vector shifts with the count moved into a register first.
     */
    @Override
    void dotGroup(int g, Input in, float[] out, int o) {
        int[] pairs = in.pairs();
        int[] biases = in.biases();
        float[] aux = in.blocks();
        long p = groupOffset(g);
        MemorySegment quantData = data; // a local: the field was reloaded and its class checked in every step
        FloatVector first = FloatVector.zero(F);
        FloatVector second = first;
        for (int b = 0; b < blocks; b++) {
            long meta = p + b * META_BYTES;
            IntVector sum0 = IntVector.zero(I);
            IntVector sum1 = sum0;
            for (int s = 0; s < 16; s++) {
                int t = 16 * b + s;
                long at = p + quants + t * GROUP_STEP;
                IntVector u0 = IntVector.fromMemorySegment(I, quantData, at, LittleEndian.ORDER);
                IntVector u1 = IntVector.fromMemorySegment(I, quantData, at + VECTOR_BYTES, LittleEndian.ORDER);
                IntVector u2 = IntVector.fromMemorySegment(I, quantData, at + 2 * VECTOR_BYTES, LittleEndian.ORDER);
                IntVector v0 = IntVector.fromMemorySegment(I, quantData, at + 3 * VECTOR_BYTES, LittleEndian.ORDER);
                IntVector v1 = IntVector.fromMemorySegment(I, quantData, at + 4 * VECTOR_BYTES, LittleEndian.ORDER);
                IntVector v2 = IntVector.fromMemorySegment(I, quantData, at + 5 * VECTOR_BYTES, LittleEndian.ORDER);
                int xi = 8 * t;
                ShortVector bias = IntVector.broadcast(I, biases[t]).reinterpretAsShorts();
                ShortVector x = IntVector.broadcast(I, pairs[xi]).reinterpretAsShorts();
                ShortVector a0 = u0.and(SIX).reinterpretAsShorts().mul(x).add(bias);
                ShortVector a1 = v0.and(SIX).reinterpretAsShorts().mul(x).add(bias);
                x = IntVector.broadcast(I, pairs[xi + 1]).reinterpretAsShorts();
                a0 = u0.lanewise(VectorOperators.LSHR, 6).and(SIX).reinterpretAsShorts().mul(x).add(a0);
                a1 = v0.lanewise(VectorOperators.LSHR, 6).and(SIX).reinterpretAsShorts().mul(x).add(a1);
                x = IntVector.broadcast(I, pairs[xi + 2]).reinterpretAsShorts();
                a0 = u1.and(SIX).reinterpretAsShorts().mul(x).add(a0);
                a1 = v1.and(SIX).reinterpretAsShorts().mul(x).add(a1);
                x = IntVector.broadcast(I, pairs[xi + 3]).reinterpretAsShorts();
                a0 = u1.lanewise(VectorOperators.LSHR, 6).and(SIX).reinterpretAsShorts().mul(x).add(a0);
                a1 = v1.lanewise(VectorOperators.LSHR, 6).and(SIX).reinterpretAsShorts().mul(x).add(a1);
                x = IntVector.broadcast(I, pairs[xi + 4]).reinterpretAsShorts();
                a0 = u2.and(SIX).reinterpretAsShorts().mul(x).add(a0);
                a1 = v2.and(SIX).reinterpretAsShorts().mul(x).add(a1);
                x = IntVector.broadcast(I, pairs[xi + 5]).reinterpretAsShorts();
                a0 = u2.lanewise(VectorOperators.LSHR, 6).and(SIX).reinterpretAsShorts().mul(x).add(a0);
                a1 = v2.lanewise(VectorOperators.LSHR, 6).and(SIX).reinterpretAsShorts().mul(x).add(a1);
                x = IntVector.broadcast(I, pairs[xi + 6]).reinterpretAsShorts();
                a0 = u0.lanewise(VectorOperators.LSHR, 12).and(NIBBLES)
                        .or(u2.lanewise(VectorOperators.LSHR, 8).and(HIGH_TWO)).reinterpretAsShorts().mul(x).add(a0);
                a1 = v0.lanewise(VectorOperators.LSHR, 12).and(NIBBLES)
                        .or(v2.lanewise(VectorOperators.LSHR, 8).and(HIGH_TWO)).reinterpretAsShorts().mul(x).add(a1);
                x = IntVector.broadcast(I, pairs[xi + 7]).reinterpretAsShorts();
                a0 = u1.lanewise(VectorOperators.LSHR, 12).and(NIBBLES)
                        .or(u2.lanewise(VectorOperators.LSHR, 10).and(HIGH_TWO)).reinterpretAsShorts().mul(x).add(a0);
                a1 = v1.lanewise(VectorOperators.LSHR, 12).and(NIBBLES)
                        .or(v2.lanewise(VectorOperators.LSHR, 10).and(HIGH_TWO)).reinterpretAsShorts().mul(x).add(a1);
                long sc = meta + GROUP_SCALES + (s >> 2) * 4L * R;
                int up = 24 - 8 * (s & 3);
                IntVector l0 = a0.reinterpretAsInts();
                IntVector l1 = a1.reinterpretAsInts();
                IntVector r0 = l0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(l0.lanewise(VectorOperators.ASHR, 16));
                IntVector r1 = l1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(l1.lanewise(VectorOperators.ASHR, 16));
                sum0 = r0.mul(IntVector.fromMemorySegment(I, quantData, sc, LittleEndian.ORDER)
                        .lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24)).add(sum0);
                sum1 = r1.mul(IntVector.fromMemorySegment(I, quantData, sc + 4L * L, LittleEndian.ORDER)
                        .lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24)).add(sum1);
            }
            float dx = aux[9 * b]; // the Q8_K scale of x (prepareInput)
            first = ((FloatVector) sum0.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromMemorySegment(F, quantData, meta, LittleEndian.ORDER).mul(dx), first);
            second = ((FloatVector) sum1.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromMemorySegment(F, quantData, meta + 4L * L, LittleEndian.ORDER).mul(dx),
                            second);
        }
        first.intoArray(out, o);
        second.intoArray(out, o + L);
    }

    /**
     * Per group and half, the three words read as L ints: the low 16 bits of int i are row i's even columns, the
     * high its odd ones ({@link #value}).
     */
    @Override
    void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride) {
        long p = groupOffset(g);
        for (int b = c0 / BLOCK; b < c1 / BLOCK; b++) {
            long meta = p + b * META_BYTES;
            for (int h = 0; h < 2; h++) {
                long half = 4L * L * h;
                FloatVector d = FloatVector.fromMemorySegment(F, data, meta + half, LittleEndian.ORDER);
                for (int s = 0; s < 16; s++) {
                    IntVector sc = IntVector.fromMemorySegment(I, data,
                            meta + GROUP_SCALES + (s >> 2) * 4L * R + half, LittleEndian.ORDER);
                    // as Q6_KMatrix: (q - 32) * (d * sc)
                    FloatVector scale = d.mul(signedByte(sc, s & 3));
                    long at = p + quants + (16L * b + s) * GROUP_STEP + 3 * VECTOR_BYTES * h;
                    int col = dstOff + (BLOCK * b - c0 + 16 * s) * stride + L * h;
                    IntVector w2 = IntVector.fromMemorySegment(I, data, at + 2 * VECTOR_BYTES, LittleEndian.ORDER);
                    for (int k = 0; k < 3; k++) {
                        IntVector w = IntVector.fromMemorySegment(I, data, at + k * VECTOR_BYTES, LittleEndian.ORDER);
                        for (int j = 0; j < 3; j++) {
                            // quants 2k and 2k + 1 from the low 12 bits, then 6 + k from the top of w and of w2
                            if (j == 2 && k == 2) {
                                break;
                            }
                            int n = j < 2 ? 2 * k + j : 6 + k;
                            IntVector v = j < 2 ? w.lanewise(VectorOperators.LSHR, 6 * j).and(SIX)
                                    : w.lanewise(VectorOperators.LSHR, 12).and(NIBBLES)
                                            .or(w2.lanewise(VectorOperators.LSHR, 8 + 2 * k).and(HIGH_TWO));
                            toFloat(v.and(0xFFFF)).sub(32f).mul(scale).intoArray(dst, col + 2 * n * stride);
                            toFloat(v.lanewise(VectorOperators.LSHR, 16)).sub(32f).mul(scale)
                                    .intoArray(dst, col + (2 * n + 1) * stride);
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
            int o = dstOff + BLOCK * b - c0;
            for (int c = 0; c < BLOCK; c++) {
                byte sc = data.get(ValueLayout.JAVA_BYTE,
                        meta + GROUP_SCALES + (c >> 6) * 4L * R + (c >> 4 & 3));
                int g = (BLOCK * b + c) >> 4;
                int parity = c & 1;
                long words = p + quants;
                int q = value(data.get(LittleEndian.SHORT, words + wordOffset(g, i, 0, parity)),
                        data.get(LittleEndian.SHORT, words + wordOffset(g, i, 1, parity)),
                        data.get(LittleEndian.SHORT, words + wordOffset(g, i, 2, parity)), (c & 15) >> 1);
                dst[o + c] = (q - 32) * (d * sc);
            }
        }
    }
}
