package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_K ({@link Q4_KMatrix}) with its rows interleaved ({@link InterleavedMatrix}) and multiplied in 16-bit integers
 * as {@link Q4_0Interleaved} is: the activations are rounded to 8-bit blocks of 256 (Q8_K, {@link
 * ActivationRounding}) and each group of 32 columns sums its products in 16 bits (15 * 127 * 16 &lt; 2^15 per lane).
 * <p>
 * A group of 2L rows holds first, per super-block, the rows' d and dmin as floats and their eight 6-bit group scales
 * and minimums as bytes (one int per row for groups 0-3, one for 4-7, for sc and then m); after all super-blocks
 * come the quants in steps of eight columns ({@link Int16Interleaved#nibbleWord}), 32 steps per super-block.
 */
final class Q4_KInterleaved extends Int16Interleaved {

    private static final int BLOCK = K_BLOCK;
    private static final int SRC_BYTES = 144;
    private static final int SRC_QS = 16;
    private static final long META_BYTES = K_META;

    private final int blocks;
    private final long quants;

    Q4_KInterleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q4_K, rows, cols, packed, base, groupBytes(cols));
        this.blocks = cols / BLOCK;
        this.quants = blocks * META_BYTES;
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * (META_BYTES + 32 * STEP);
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q4_K matrices at src. */
    static MemorySegment repack(MemorySegment src, int experts, int rows, int cols) {
        int blocks = cols / BLOCK;
        int quants = blocks * (int) META_BYTES;
        int rowBytes = blocks * SRC_BYTES;
        return repack(src, experts, rows, rowBytes, R, groupBytes(cols), (in, out) -> {
            for (int i = 0; i < R; i++) {
                for (int blk = 0, s = i * rowBytes; blk < blocks; blk++, s += SRC_BYTES) {
                    putKMeta(in, s, out, blk * (int) META_BYTES, i);
                    // column c of group c / 32: the low (even group) or high nibble of qs[32 (c / 64) + c % 32], so
                    // the eight columns of step t are nibbles of eight bytes in a row
                    for (int t = 0; t < 32; t++) {
                        LittleEndian.putInt(out, quants + nibbleWord(i, BLOCK * blk + 8 * t),
                                stepWords(in, s + SRC_QS + 32 * (t >> 3) + 8 * (t & 3), 4 * (t >> 2 & 1)));
                    }
                }
            }
        });
    }

    /**
     * The minimums and the group scales times d and the block's scale of x first, then one loop over every step of
     * the group ({@link #words}): each half has a 16-bit sum per lane (sixteen products per group); at a group's last
     * step a row's even and odd lanes are added in 32 bits, converted and weighted by the group's scale.
     * Nothing is stored inside the loop: with a store there C2 reloaded the segment's fields at every step.
     */
    @Override
    void dotGroup(int g, Input in, float[] out, int o) {
        float[] aux = in.blocks();
        float[] partial = partial();
        float[] scales = scales(8 * blocks * R);
        long p = groupOffset(g);
        kMinimums(p, aux, partial);
        kGroupScales(p, aux, scales);
        words(p, in.pairs(), scales, partial);
        System.arraycopy(partial, 0, out, o, R);
    }

    /** K-quants: {@code scales[(8b + s) * R ..]} = d * sc * dx of group s of super-block b for the rows of group p. */
    private void kGroupScales(long p, float[] aux, float[] scales) {
        for (int b = 0, blocks = cols() / K_BLOCK; b < blocks; b++) {
            long meta = p + b * K_META;
            FloatVector dx = FloatVector.broadcast(F, aux[9 * b]);
            FloatVector d0 = FloatVector.fromMemorySegment(F, data, meta, LittleEndian.ORDER).mul(dx);
            FloatVector d1 = FloatVector.fromMemorySegment(F, data, meta + 4L * L, LittleEndian.ORDER).mul(dx);
            for (int half = 0; half < 2; half++) {
                IntVector sc0 = IntVector.fromMemorySegment(I, data, meta + SC + 4L * R * half, LittleEndian.ORDER);
                IntVector sc1 = IntVector.fromMemorySegment(I, data, meta + SC + 4L * R * half + 4L * L,
                        LittleEndian.ORDER);
                for (int k = 0; k < 4; k++) {
                    int at = (8 * b + 4 * half + k) * R;
                    bytes(sc0, k).mul(d0).intoArray(scales, at);
                    bytes(sc1, k).mul(d1).intoArray(scales, at + L);
                }
            }
        }
    }

    private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's buffer of at least n floats for a row group's scales. */
    private static float[] scales(int n) {
        float[] scales = SCALES.get();
        if (scales.length < n) {
            scales = new float[n];
            SCALES.set(scales);
        }
        return scales;
    }

    /** The step loop, adding to {@code partial}; a method of its own so that its compilation has C2's whole budget. */
    private void words(long p, int[] pairs, float[] scales, float[] partial) {
        long w = p + quants;
        MemorySegment quantData = data;
        FloatVector first = FloatVector.fromArray(F, partial, 0);
        FloatVector second = FloatVector.fromArray(F, partial, L);
        ShortVector a0 = ShortVector.zero(S);
        ShortVector a1 = a0;
        for (int t = 0, steps = 32 * blocks; t < steps; t++) {
            long at = w + t * STEP;
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
                int s = R * (t >>> 2);
                IntVector l0 = a0.reinterpretAsInts();
                IntVector l1 = a1.reinterpretAsInts();
                IntVector r0 = l0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(l0.lanewise(VectorOperators.ASHR, 16));
                IntVector r1 = l1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(l1.lanewise(VectorOperators.ASHR, 16));
                first = ((FloatVector) r0.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, scales, s),
                        first);
                second = ((FloatVector) r1.convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(F, scales, s + L), second);
                a0 = ShortVector.zero(S);
                a1 = a0;
            }
        }
        first.intoArray(partial, 0);
        second.intoArray(partial, L);
    }

    /**
     * Per step and half, read as L ints: bits 16p + 4n .. of int i are nibble n of row i's column of parity p,
     * column 8t + 2n + p.
     */
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
                    for (int j = 0; j < 4; j++) {
                        IntVector v = IntVector.fromMemorySegment(I, data,
                                p + quants + (32L * b + 4 * s + j) * STEP + VECTOR_BYTES * half,
                                LittleEndian.ORDER);
                        int col = dstOff + (BLOCK * b - c0 + 32 * s + 8 * j) * stride + L * half;
                        for (int n = 0; n < 8; n++) {
                            // n = 2 * nibble + parity
                            toFloat(v.lanewise(VectorOperators.LSHR, 16 * (n & 1) + 4 * (n >> 1)).and(0x0F))
                                    .fma(scale, min).intoArray(dst, col + n * stride);
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
                int word = data.get(LittleEndian.SHORT, p + quants + nibbleWord(i, BLOCK * b + c));
                int s = c >> 5;
                int sc = data.get(ValueLayout.JAVA_BYTE, meta + SC + (s >> 2) * 4L * R + (s & 3)) & 0xFF;
                int m = data.get(ValueLayout.JAVA_BYTE, meta + M + (s >> 2) * 4L * R + (s & 3)) & 0xFF;
                dst[o + c] = (word >>> 4 * nibble(c) & 0x0F) * (d * sc) + -(dmin * m);
            }
        }
    }
}
