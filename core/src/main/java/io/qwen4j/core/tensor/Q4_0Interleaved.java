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
 * multiply and add serve 2L weights, where the float kernel needed a widening, a conversion and an
 * FMA per weight of L rows; each block's integer sums are converted to float once.
 * <p>
 * A group of 2L rows holds per block the rows' scales d as floats, then the block's quants in four steps of eight
 * columns ({@link Int16Interleaved#nibbleWord}), each nibble {@code (q - 8) * d}: one stream of memory. With all
 * the scales first, the loop read two streams and was about 15% slower reading from memory.
 */
final class Q4_0Interleaved extends Int16Interleaved {

    private static final int BLOCK = 32;
    private static final int SRC_BYTES = 18;
    /** Per block and group: the scales, then eight words per row. */
    private static final long D_BYTES = 4L * R;
    /** A block of 32 columns: the rows' d, then four steps of quants. */
    private static final long BLOCK_BYTES = D_BYTES + 4 * STEP;

    private final int blocks;

    Q4_0Interleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q4_0, rows, cols, packed, base, groupBytes(cols));
        this.blocks = cols / BLOCK;
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * BLOCK_BYTES;
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q4_0 matrices at src. */
    static MemorySegment repack(MemorySegment src, int experts, int rows, int cols) {
        int blocks = cols / BLOCK;
        int rowBytes = blocks * SRC_BYTES;
        return repack(src, experts, rows, rowBytes, R, groupBytes(cols), (in, out) -> {
            for (int i = 0; i < R; i++) {
                for (int blk = 0, s = i * rowBytes; blk < blocks; blk++, s += SRC_BYTES) {
                    LittleEndian.putFloat(out, blk * (int) BLOCK_BYTES + 4 * i,
                            Float.float16ToFloat(LittleEndian.getShort(in, s)));
                    // column c is the low nibble of qs[c] below 16, the high nibble of qs[c - 16] from 16 on
                    for (int t = 0; t < 4; t++) {
                        LittleEndian.putInt(out, blk * (int) BLOCK_BYTES + (int) D_BYTES + nibbleWord(i, 8 * t),
                                stepWords(in, s + 2 + 8 * (t & 1), 4 * (t >> 1)));
                    }
                }
            }
        });
    }

    @Override
    boolean roundsInput() {
        return true;
    }

    /**
     * Rounds x to 8-bit blocks as {@link ActivationRounding} does (exactly reproducing an input it already rounded)
     * and pairs the integers of neighbouring columns. Keeps per block the scale of x and -8 times the sum of its
     * integers (the -8 of every quant).
     */
    @Override
    void prepareInput(float[] x, int xOff, Input in) {
        int[] pairs = in.pairs(cols() / 2);
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
            putPairs(q, BLOCK, pairs, BLOCK / 2 * b);
        }
    }

    /**
     * One loop over every step of the group, so that its set-up is paid once per row group: each half has a 16-bit
     * sum per lane, sixteen products per block; at a block's last step a row's even and odd lanes are added in 32
     * bits, converted, corrected for the -8 and scaled by d times the block's scale of x.
     */
    @Override
    void dotGroup(int g, Input in, float[] out, int o) {
        int[] pairs = in.pairs();
        float[] aux = in.blocks();
        long p = groupOffset(g);
        long w = p + D_BYTES;
        FloatVector first = FloatVector.zero(F);
        FloatVector second = first;
        MemorySegment quantData = data; // a local: the field was reloaded and its class checked in every step
        ShortVector a0 = ShortVector.zero(S);
        ShortVector a1 = a0;
        for (int t = 0, steps = 4 * blocks; t < steps; t++) {
            long at = w + t * STEP + (t >>> 2) * D_BYTES;
            ShortVector v0 = ShortVector.fromMemorySegment(S, quantData, at, LittleEndian.ORDER);
            ShortVector v1 = ShortVector.fromMemorySegment(S, quantData, at + VECTOR_BYTES, LittleEndian.ORDER);
            ShortVector x = IntVector.broadcast(I, pairs[4 * t]).reinterpretAsShorts();
            a0 = v0.reinterpretAsInts().and(NIBBLES).reinterpretAsShorts().mul(x).add(a0);
            a1 = v1.reinterpretAsInts().and(NIBBLES).reinterpretAsShorts().mul(x).add(a1);
            x = IntVector.broadcast(I, pairs[4 * t + 1]).reinterpretAsShorts();
            a0 = v0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts().mul(x)
                    .add(a0);
            a1 = v1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts().mul(x)
                    .add(a1);
            x = IntVector.broadcast(I, pairs[4 * t + 2]).reinterpretAsShorts();
            a0 = v0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts().mul(x)
                    .add(a0);
            a1 = v1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts().mul(x)
                    .add(a1);
            x = IntVector.broadcast(I, pairs[4 * t + 3]).reinterpretAsShorts();
            a0 = v0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts().mul(x)
                    .add(a0);
            a1 = v1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts().mul(x)
                    .add(a1);
            if ((t & 3) == 3) {
                int b = t >>> 2;
                IntVector l0 = a0.reinterpretAsInts();
                IntVector l1 = a1.reinterpretAsInts();
                IntVector r0 = l0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(l0.lanewise(VectorOperators.ASHR, 16));
                IntVector r1 = l1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(l1.lanewise(VectorOperators.ASHR, 16));
                float dx = aux[2 * b];
                float correction = aux[2 * b + 1];
                long d = p + b * BLOCK_BYTES;
                first = ((FloatVector) r0.convert(VectorOperators.I2F, 0)).add(correction)
                        .fma(FloatVector.fromMemorySegment(F, data, d, LittleEndian.ORDER).mul(dx), first);
                second = ((FloatVector) r1.convert(VectorOperators.I2F, 0)).add(correction)
                        .fma(FloatVector.fromMemorySegment(F, data, d + 4L * L, LittleEndian.ORDER).mul(dx), second);
                a0 = ShortVector.zero(S);
                a1 = a0;
            }
        }
        first.intoArray(out, o);
        second.intoArray(out, o + L);
    }

    /**
     * Per step and half, read as L ints: bits 16p + 4n .. of int i are nibble n of row i's column of parity p,
     * column 8t + 2n + p.
     */
    @Override
    void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride) {
        long p = groupOffset(g);
        for (int b = c0 / BLOCK; b < c1 / BLOCK; b++) {
            long d = p + b * BLOCK_BYTES;
            for (int half = 0; half < 2; half++) {
                FloatVector scale = FloatVector.fromMemorySegment(F, data, d + 4L * L * half, LittleEndian.ORDER);
                FloatVector min = scale.mul(-8f);
                for (int j = 0; j < 4; j++) {
                    IntVector v = IntVector.fromMemorySegment(I, data,
                            d + D_BYTES + j * STEP + VECTOR_BYTES * half, LittleEndian.ORDER);
                    int col = dstOff + (BLOCK * b - c0 + 8 * j) * stride + L * half;
                    for (int n = 0; n < 8; n++) {
                        // n = 2 * nibble + parity
                        toFloat(v.lanewise(VectorOperators.LSHR, 16 * (n & 1) + 4 * (n >> 1)).and(0x0F))
                                .fma(scale, min).intoArray(dst, col + n * stride);
                    }
                }
            }
        }
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        int g = r / R;
        int i = r % R;
        long p = groupOffset(g);
        for (int b = c0 / BLOCK; b < c1 / BLOCK; b++) {
            long block = p + b * BLOCK_BYTES;
            float d = data.get(LittleEndian.FLOAT, block + 4L * i);
            int o = dstOff + BLOCK * b - c0;
            for (int c = 0; c < BLOCK; c++) {
                int word = data.get(LittleEndian.SHORT, block + D_BYTES + nibbleWord(i, c));
                dst[o + c] = ((word >>> 4 * nibble(c) & 0x0F) - 8) * d;
            }
        }
    }
}
