package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_K ({@link Q4_KMatrix}) with its rows interleaved ({@link InterleavedMatrix}) and multiplied in 16-bit integers
 * as {@link Q4_0Interleaved} is: the activations are rounded to 8-bit blocks of 256 (Q8_K, {@link
 * ActivationRounding}) and each group of 32 columns sums its products in 16 bits (15 * 127 * 16 &lt; 2^15 per lane).
 * <p>
 * A group of 2L rows holds first, per super-block, the rows' d and dmin as floats and their eight 6-bit group scales
 * and minimums as bytes (one int per row for groups 0-3, one for 4-7, for sc and then m); after all super-blocks
 * come the quants, 64 words per row and super-block: word 8s + j holds columns 4j .. 4j + 3 of group s in its four
 * nibbles, lowest first. Row i &lt; L sits in 16-bit lane 2i, row L + i in lane 2i + 1.
 */
final class Q4_KInterleaved extends InterleavedMatrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, F.vectorShape());
    private static final VectorSpecies<Integer> I = Simd.I;
    private static final int L = Simd.L;
    private static final int R = SHORT_ROWS;
    private static final int BLOCK = 256;
    private static final int SRC_BYTES = 144;
    private static final int SRC_QS = 16;
    /** Per super-block: d, dmin (floats), then sc of groups 0-3 and 4-7, m of groups 0-3 and 4-7 (ints). */
    private static final long DMIN = 4L * R;
    private static final long SC = 8L * R;
    private static final long M = 16L * R;
    private static final long META_BYTES = 24L * R;
    private static final long WORD_BYTES = 2L * R;


    private final int blocks;
    private final long quants;

    Q4_KInterleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q4_K, rows, cols, packed, base, R, groupBytes(cols));
        this.blocks = cols / BLOCK;
        this.quants = blocks * META_BYTES;
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * (META_BYTES + 64 * WORD_BYTES);
    }

    private static int lane(int i) {
        return i < L ? 2 * i : 2 * (i - L) + 1;
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q4_K matrices at src. */
    static MemorySegment repack(MemorySegment src, int experts, int rows, int cols) {
        int blocks = cols / BLOCK;
        int quants = blocks * (int) META_BYTES;
        int rowBytes = blocks * SRC_BYTES;
        return repack(src, experts, rows, rowBytes, R, groupBytes(cols), (in, out) -> {
            for (int i = 0; i < R; i++) {
                for (int blk = 0, s = i * rowBytes; blk < blocks; blk++, s += SRC_BYTES) {
                    int meta = blk * (int) META_BYTES + 4 * i;
                    LittleEndian.putFloat(out, meta, Float.float16ToFloat(LittleEndian.getShort(in, s)));
                    LittleEndian.putFloat(out, meta + (int) DMIN,
                            Float.float16ToFloat(LittleEndian.getShort(in, s + 2)));
                    long sc = Q4_KMatrix.scaleBytes(in, s, false);
                    long m = Q4_KMatrix.scaleBytes(in, s, true);
                    LittleEndian.putInt(out, meta + (int) SC, (int) sc);
                    LittleEndian.putInt(out, meta + (int) SC + 4 * R, (int) (sc >>> 32));
                    LittleEndian.putInt(out, meta + (int) M, (int) m);
                    LittleEndian.putInt(out, meta + (int) M + 4 * R, (int) (m >>> 32));
                    for (int t = 0; t < 64; t++) {
                        // group t / 8 is the low (even group) or high nibbles of qs[32 (t / 16) ..]
                        int q = s + SRC_QS + 32 * (t >> 4) + 4 * (t & 7);
                        int shift = 4 * (t >> 3 & 1);
                        int word = 0;
                        for (int n = 0; n < 4; n++) {
                            word |= (in[q + n] >> shift & 0x0F) << 4 * n;
                        }
                        LittleEndian.putShort(out, quants + (64 * blk + t) * (int) WORD_BYTES + 2 * lane(i),
                                (short) word);
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
     * Rounds x to Q8_K blocks as {@link ActivationRounding} does and spreads each column's integer over a vector in
     * this thread's buffer. Returns per super-block the scale of x and the
     * sums of its integers over the eight groups (for the minimums).
     */
    @Override
    void prepareInput(float[] x, int xOff, Input in) {
        short[] xb = in.broadcast(cols() * R);
        float[] aux = in.blocks(9 * blocks);
        int[] q = in.ints(BLOCK);
        for (int b = 0; b < blocks; b++) {
            aux[9 * b] = ActivationRounding.q8_K(x, xOff + BLOCK * b, q);
            for (int s = 0; s < 8; s++) {
                int sum = 0;
                for (int c = 32 * s; c < 32 * s + 32; c++) {
                    sum += q[c];
                }
                aux[9 * b + 1 + s] = sum;
            }
            for (int c = 0; c < BLOCK; c++) {
                ShortVector.broadcast(S, (short) q[c]).intoArray(xb, (BLOCK * b + c) * R);
            }
        }
    }

    /**
     * The minimums and the group scales times d and the block's scale of x first, then one loop over every word of
     * the group ({@link #words}): the even and odd nibbles have a 16-bit sum each (sixteen products per group); at a
     * group's last word they are widened (even lanes: the first L rows), converted and weighted by the group's scale.
     * Nothing is stored inside the loop: with a store there C2 reloaded the segment's fields at every step.
     */
    @Override
    void dotGroup(int g, Input in, float[] out, int o) {
        float[] aux = in.blocks();
        float[] partial = STATE.get();
        long p = groupOffset(g);
        float[] scales = SCALES.get();
        if (scales.length < 8 * blocks * R) {
            scales = new float[8 * blocks * R];
            SCALES.set(scales);
        }
        minimums(p, aux, partial);
        groupScales(p, aux, scales);
        words(p, in.broadcast(), scales, partial);
        System.arraycopy(partial, 0, out, o, R);
    }

    /** The word loop, adding to {@code partial}; a method of its own so that its compilation has C2's whole budget. */
    private void words(long p, short[] xb, float[] scales, float[] partial) {
        long w = p + quants;
        MemorySegment quantData = data;
        FloatVector first = FloatVector.fromArray(F, partial, 0);
        FloatVector second = FloatVector.fromArray(F, partial, L);
        ShortVector a0 = ShortVector.zero(S);
        ShortVector a1 = a0;
        for (int t = 0, words = 64 * blocks; t < words; t++) {
            ShortVector v = ShortVector.fromMemorySegment(S, quantData, w + t * WORD_BYTES, LittleEndian.ORDER);
            int xi = 4 * R * t;
            a0 = v.and((short) 0x0F).mul(ShortVector.fromArray(S, xb, xi)).add(a0);
            a1 = v.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S, xb, xi + R))
                    .add(a1);
            a0 = v.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).mul(ShortVector.fromArray(S, xb, xi + 2 * R))
                    .add(a0);
            a1 = v.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xb, xi + 3 * R)).add(a1);
            if ((t & 7) == 7) {
                int at = R * (t >>> 3);
                IntVector l0 = a0.reinterpretAsInts();
                IntVector l1 = a1.reinterpretAsInts();
                IntVector even = l0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(l1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                IntVector odd = l0.lanewise(VectorOperators.ASHR, 16).add(l1.lanewise(VectorOperators.ASHR, 16));
                first = toFloat(even).fma(FloatVector.fromArray(F, scales, at), first);
                second = toFloat(odd).fma(FloatVector.fromArray(F, scales, at + L), second);
                a0 = ShortVector.zero(S);
                a1 = a0;
            }
        }
        first.intoArray(partial, 0);
        second.intoArray(partial, L);
    }

    /** Per-thread buffers of {@link #dotGroup}: the minimums' part of the result (2L rows), the group scales. */
    private static final ThreadLocal<float[]> STATE = ThreadLocal.withInitial(() -> new float[R]);
    private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * {@code partial[0 .. 2L)} = minus the sum over super-blocks of dmin * dx * (sum over groups of m * sum of x).
     * This and {@link #groupScales} are methods of their own, called once per row group, so that each compilation
     * stays within C2's inlining budget (past it, vector calls are left out of line and boxed).
     */
    private void minimums(long p, float[] aux, float[] partial) {
        FloatVector first = FloatVector.zero(F);
        FloatVector second = first;
        for (int b = 0; b < blocks; b++) {
            long meta = p + b * META_BYTES;
            IntVector m0 = IntVector.fromMemorySegment(I, data, meta + M, LittleEndian.ORDER);
            IntVector m1 = IntVector.fromMemorySegment(I, data, meta + M + 4L * L, LittleEndian.ORDER);
            IntVector m2 = IntVector.fromMemorySegment(I, data, meta + M + 8L * L, LittleEndian.ORDER);
            IntVector m3 = IntVector.fromMemorySegment(I, data, meta + M + 12L * L, LittleEndian.ORDER);
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = s0;
            for (int k = 0; k < 4; k++) {
                FloatVector lowGroup = FloatVector.broadcast(F, aux[9 * b + 1 + k]);
                FloatVector highGroup = FloatVector.broadcast(F, aux[9 * b + 5 + k]);
                s0 = bytes(m0, k).fma(lowGroup, bytes(m2, k).fma(highGroup, s0));
                s1 = bytes(m1, k).fma(lowGroup, bytes(m3, k).fma(highGroup, s1));
            }
            FloatVector dx = FloatVector.broadcast(F, -aux[9 * b]);
            first = FloatVector.fromMemorySegment(F, data, meta + DMIN, LittleEndian.ORDER).mul(s0).fma(dx, first);
            second = FloatVector.fromMemorySegment(F, data, meta + DMIN + 4L * L, LittleEndian.ORDER).mul(s1)
                    .fma(dx, second);
        }
        first.intoArray(partial, 0);
        second.intoArray(partial, L);
    }

    /** {@code scales[(8b + s) * R ..]} = d * sc * dx of group s of super-block b for the 2L rows of group p. */
    private void groupScales(long p, float[] aux, float[] scales) {
        for (int b = 0; b < blocks; b++) {
            long meta = p + b * META_BYTES;
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

    /** Byte k of every int lane, as a float. */
    private static FloatVector bytes(IntVector v, int k) {
        return toFloat(v.lanewise(VectorOperators.LSHR, 8 * k).and(0xFF));
    }

    private static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /**
     * Per word, read as L ints: bits 4n .. 4n + 3 of each int are nibble n of an even lane (the first L rows),
     * bits 16 + 4n .. of an odd lane.
     */
    @Override
    void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride) {
        long p = groupOffset(g);
        for (int b = c0 / BLOCK; b < c1 / BLOCK; b++) {
            long meta = p + b * META_BYTES;
            for (int half = 0; half < 2; half++) {
                long h = 4L * L * half;
                FloatVector d = FloatVector.fromMemorySegment(F, data, meta + h, LittleEndian.ORDER);
                FloatVector dmin = FloatVector.fromMemorySegment(F, data, meta + DMIN + h, LittleEndian.ORDER);
                for (int s = 0; s < 8; s++) {
                    long at = (s >> 2) * 4L * R + h;
                    IntVector sc = IntVector.fromMemorySegment(I, data, meta + SC + at, LittleEndian.ORDER);
                    IntVector m = IntVector.fromMemorySegment(I, data, meta + M + at, LittleEndian.ORDER);
                    // as Q4_KMatrix: q * (d * sc) + -(dmin * m)
                    FloatVector scale = d.mul(bytes(sc, s & 3));
                    FloatVector min = dmin.mul(bytes(m, s & 3)).neg();
                    for (int j = 0; j < 8; j++) {
                        IntVector v = IntVector.fromMemorySegment(I, data,
                                p + quants + (64L * b + 8 * s + j) * WORD_BYTES, LittleEndian.ORDER);
                        int col = dstOff + (BLOCK * b - c0 + 32 * s + 4 * j) * stride + L * half;
                        for (int n = 0; n < 4; n++) {
                            toFloat(v.lanewise(VectorOperators.LSHR, 16 * half + 4 * n).and(0x0F)).fma(scale, min)
                                    .intoArray(dst, col + n * stride);
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
            for (int t = 0; t < 64; t++) {
                int word = data.get(LittleEndian.SHORT, p + quants + (64L * b + t) * WORD_BYTES + 2L * lane(i));
                int s = t >> 3;
                int sc = data.get(ValueLayout.JAVA_BYTE, meta + SC + (s >> 2) * 4L * R + (s & 3)) & 0xFF;
                int m = data.get(ValueLayout.JAVA_BYTE, meta + M + (s >> 2) * 4L * R + (s & 3)) & 0xFF;
                for (int n = 0; n < 4; n++) {
                    dst[o + 32 * s + 4 * (t & 7) + n] = (word >>> 4 * n & 0x0F) * (d * sc) + -(dmin * m);
                }
            }
        }
    }
}
