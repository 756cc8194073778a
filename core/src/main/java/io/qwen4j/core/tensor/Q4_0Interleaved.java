package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0 ({@link Q4_0Matrix}) with its rows interleaved ({@link InterleavedMatrix}) and multiplied in 16-bit integers,
 * as llama.cpp multiplies it: the activations are rounded to 8-bit blocks of 32 ({@link ActivationRounding}), each
 * quant times activation product fits 16 bits, and sixteen of them still do (15 * 127 * 16 &lt; 2^15). So one 16-bit
 * multiply and add serve one weight of each of 2L rows, where the float kernel needed a widening, a conversion and an
 * FMA per weight of L rows; each block's integer sums are converted to float once.
 * <p>
 * A group of 2L rows (one per 16-bit lane) holds first the rows' scales d of every block as floats, then for each
 * block eight words per row: word k is quant bytes 2k and 2k + 1 of the row's block, so its nibbles are columns 2k,
 * 2k + 16, 2k + 1 and 2k + 17 (bits 0, 4, 8, 12), each {@code (q - 8) * d}. Row i &lt; L sits in lane 2i and row
 * L + i in lane 2i + 1, so that the even and odd lanes, widened to 32 bits, are the first and second L rows in order.
 */
final class Q4_0Interleaved extends Int16Interleaved {

    private static final int BLOCK = 32;
    private static final int SRC_BYTES = 18;
    /** Per block and group: the scales, then eight words per row. */
    private static final long D_BYTES = 4L * R;

    private final int blocks;
    private final long quants;

    Q4_0Interleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q4_0, rows, cols, packed, base, groupBytes(cols));
        this.blocks = cols / BLOCK;
        this.quants = blocks * D_BYTES;
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * (D_BYTES + 8 * WORD_BYTES);
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q4_0 matrices at src. */
    static MemorySegment repack(MemorySegment src, int experts, int rows, int cols) {
        int blocks = cols / BLOCK;
        int quants = blocks * (int) D_BYTES;
        int rowBytes = blocks * SRC_BYTES;
        return repack(src, experts, rows, rowBytes, R, groupBytes(cols), (in, out) -> {
            for (int i = 0; i < R; i++) {
                for (int blk = 0, s = i * rowBytes; blk < blocks; blk++, s += SRC_BYTES) {
                    LittleEndian.putFloat(out, blk * (int) D_BYTES + 4 * i,
                            Float.float16ToFloat(LittleEndian.getShort(in, s)));
                    for (int k = 0, w = quants + 8 * blk * (int) WORD_BYTES + 2 * lane(i); k < 8; k++) {
                        out[w + k * (int) WORD_BYTES] = in[s + 2 + 2 * k];
                        out[w + k * (int) WORD_BYTES + 1] = in[s + 3 + 2 * k];
                    }
                }
            }
        });
    }

    /**
     * Rounds x to 8-bit blocks as {@link ActivationRounding} does (exactly reproducing an input it already rounded)
     * and spreads each column's integer over a vector in this thread's buffer, in the order the words hold the
     * columns. Returns per block the scale of x and -8 times the sum of its integers (the -8 of every quant).
     */
    /**
     * Rounds x to 8-bit blocks as {@link ActivationRounding} does (exactly reproducing an input it already rounded)
     * and spreads each column's integer over a vector in this thread's buffer, in the order the words hold the
     * columns. Returns per block the scale of x and -8 times the sum of its integers (the -8 of every quant).
     */
    @Override
    boolean roundsInput() {
        return true;
    }

    @Override
    void prepareInput(float[] x, int xOff, Input in) {
        short[] xb = in.broadcast(cols() * R);
        float[] aux = in.blocks(2 * blocks);
        int[] q = in.ints(BLOCK);
        for (int b = 0; b < blocks; b++) {
            float d = ActivationRounding.q8_0(x, xOff + BLOCK * b, q);
            int sum = 0;
            for (int c = 0; c < BLOCK; c++) {
                sum += q[c];
            }
            aux[2 * b] = d;
            aux[2 * b + 1] = -8f * sum;
            for (int k = 0; k < 8; k++) {
                int at = (8 * b + k) * 4 * R;
                ShortVector.broadcast(S, (short) q[2 * k]).intoArray(xb, at);
                ShortVector.broadcast(S, (short) q[2 * k + 16]).intoArray(xb, at + R);
                ShortVector.broadcast(S, (short) q[2 * k + 1]).intoArray(xb, at + 2 * R);
                ShortVector.broadcast(S, (short) q[2 * k + 17]).intoArray(xb, at + 3 * R);
            }
        }
    }

    /**
     * One loop over every word of the group, so that its set-up is paid once per row group: the low and high
     * nibbles of a word go to two 16-bit sums, sixteen products each per block; at a block's last word the sums are
     * widened (even lanes and odd lanes), converted, corrected for the -8 and scaled by d times the block's scale of x.
     */
    @Override
    void dotGroup(int g, Input in, float[] out, int o) {
        short[] xb = in.broadcast();
        float[] aux = in.blocks();
        long p = groupOffset(g);
        long w = p + quants;
        FloatVector first = FloatVector.zero(F);
        FloatVector second = first;
        MemorySegment quantData = data; // a local: the field was reloaded and its class checked in every step
        ShortVector lo = ShortVector.zero(S);
        ShortVector hi = lo;
        for (int t = 0, words = 8 * blocks; t < words; t++) {
            ShortVector v = ShortVector.fromMemorySegment(S, quantData, w + t * WORD_BYTES, LittleEndian.ORDER);
            int xi = 4 * R * t;
            lo = v.and((short) 0x0F).mul(ShortVector.fromArray(S, xb, xi)).add(lo);
            hi = v.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S, xb, xi + R))
                    .add(hi);
            lo = v.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).mul(ShortVector.fromArray(S, xb, xi + 2 * R))
                    .add(lo);
            hi = v.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xb, xi + 3 * R)).add(hi);
            if ((t & 7) == 7) {
                int b = t >>> 3;
                IntVector li = lo.reinterpretAsInts();
                IntVector hs = hi.reinterpretAsInts();
                IntVector even = li.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(hs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                IntVector odd = li.lanewise(VectorOperators.ASHR, 16).add(hs.lanewise(VectorOperators.ASHR, 16));
                float dx = aux[2 * b];
                float correction = aux[2 * b + 1];
                long d = p + b * D_BYTES;
                first = ((FloatVector) even.convert(VectorOperators.I2F, 0)).add(correction)
                        .fma(FloatVector.fromMemorySegment(F, data, d, LittleEndian.ORDER).mul(dx), first);
                second = ((FloatVector) odd.convert(VectorOperators.I2F, 0)).add(correction)
                        .fma(FloatVector.fromMemorySegment(F, data, d + 4L * L, LittleEndian.ORDER).mul(dx), second);
                lo = ShortVector.zero(S);
                hi = lo;
            }
        }
        first.intoArray(out, o);
        second.intoArray(out, o + L);
    }

    /**
     * Per word, read as L ints: bits 4n .. 4n + 3 of each int are nibble n of an even lane (rows below L), bits
     * 16 + 4n .. of an odd lane (rows L and up).
     */
    @Override
    void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride) {
        long p = groupOffset(g);
        for (int b = c0 / BLOCK; b < c1 / BLOCK; b++) {
            long d = p + b * D_BYTES;
            FloatVector d0 = FloatVector.fromMemorySegment(F, data, d, LittleEndian.ORDER);
            FloatVector d1 = FloatVector.fromMemorySegment(F, data, d + 4L * L, LittleEndian.ORDER);
            FloatVector m0 = d0.mul(-8f);
            FloatVector m1 = d1.mul(-8f);
            for (int k = 0; k < 8; k++) {
                IntVector v = IntVector.fromMemorySegment(I, data, p + quants + (8L * b + k) * WORD_BYTES,
                        LittleEndian.ORDER);
                int at = dstOff + (BLOCK * b - c0 + 2 * k) * stride;
                for (int n = 0; n < 4; n++) {
                    // nibble n is column 2k (n = 0), 2k + 16, 2k + 1, 2k + 17
                    int col = at + ((n & 1) * 16 + (n >> 1)) * stride;
                    nibble(v, 4 * n).fma(d0, m0).intoArray(dst, col);
                    nibble(v, 16 + 4 * n).fma(d1, m1).intoArray(dst, col + L);
                }
            }
        }
    }

    private static FloatVector nibble(IntVector v, int shift) {
        return (FloatVector) v.lanewise(VectorOperators.LSHR, shift).and(0x0F).convert(VectorOperators.I2F, 0);
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        int g = r / R;
        int i = r % R;
        long p = groupOffset(g);
        for (int b = c0 / BLOCK; b < c1 / BLOCK; b++) {
            float d = data.get(LittleEndian.FLOAT, p + b * D_BYTES + 4L * i);
            int o = dstOff + BLOCK * b - c0;
            for (int k = 0; k < 8; k++) {
                int word = data.get(LittleEndian.SHORT, p + quants + (8L * b + k) * WORD_BYTES + 2L * lane(i));
                dst[o + 2 * k] = ((word & 0x0F) - 8) * d;
                dst[o + 2 * k + 16] = ((word >>> 4 & 0x0F) - 8) * d;
                dst[o + 2 * k + 1] = ((word >>> 8 & 0x0F) - 8) * d;
                dst[o + 2 * k + 17] = ((word >>> 12 & 0x0F) - 8) * d;
            }
        }
    }
}
