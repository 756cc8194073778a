package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_K ({@link Q4_KMatrix}) with its rows interleaved ({@link InterleavedMatrix}) and multiplied in 16-bit integers
 * as {@link Q4_0Interleaved} is: the activations are rounded to 8-bit blocks of 256 (Q8_K, {@link
 * ActivationRounding}) and each group of 32 columns sums its products in 16 bits (15 * 127 * 16 &lt; 2^15 per lane).
 * <p>
 * A group of 2L rows holds first, per super-block, the rows' d and dmin as floats and their eight 6-bit group scales
 * and minimums as bytes (one int per row for groups 0-3, one for 4-7, for sc and then m); after all super-blocks
 * come the quants, 64 words per row and super-block: word t is quant bytes 2t and 2t + 1, so with p = t / 16 and
 * k = t % 16 its nibbles (bits 0, 4, 8, 12) are columns 64p + 2k, 64p + 32 + 2k, 64p + 2k + 1 and 64p + 33 + 2k, of
 * groups 2p, 2p + 1, 2p and 2p + 1. Row i &lt; L sits in 16-bit lane 2i, row L + i in lane 2i + 1.
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

    private static final ThreadLocal<short[][]> BROADCAST = ThreadLocal.withInitial(() -> new short[1][0]);

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
    static MemorySegment repack(MemorySegment src, int experts, int rows, int cols, Arena arena) {
        long groups = groups(rows, R);
        long groupBytes = groupBytes(cols);
        int blocks = cols / BLOCK;
        long rowBytes = (long) blocks * SRC_BYTES;
        MemorySegment dst = arena.allocate(experts * groups * groupBytes, 64); // zeroed: padding rows are 0
        Parallel.parallelFor(Math.toIntExact(experts * groups), (a, b) -> {
            for (int eg = a; eg < b; eg++) {
                long e = eg / groups;
                long g = eg % groups;
                long out = eg * groupBytes;
                long quants = out + blocks * META_BYTES;
                for (int i = 0; i < R && g * R + i < rows; i++) {
                    long in = (e * rows + g * R + i) * rowBytes;
                    for (int blk = 0; blk < blocks; blk++, in += SRC_BYTES) {
                        long meta = out + blk * META_BYTES + 4L * i;
                        dst.set(LittleEndian.FLOAT, meta, Float.float16ToFloat(src.get(LittleEndian.SHORT, in)));
                        dst.set(LittleEndian.FLOAT, meta + DMIN,
                                Float.float16ToFloat(src.get(LittleEndian.SHORT, in + 2)));
                        long sc = Q4_KMatrix.scaleBytes(src, in, false);
                        long m = Q4_KMatrix.scaleBytes(src, in, true);
                        dst.set(INT, meta + SC, (int) sc);
                        dst.set(INT, meta + SC + 4L * R, (int) (sc >>> 32));
                        dst.set(INT, meta + M, (int) m);
                        dst.set(INT, meta + M + 4L * R, (int) (m >>> 32));
                        for (int t = 0; t < 64; t++) {
                            MemorySegment.copy(src, in + SRC_QS + 2L * t, dst,
                                    quants + (64L * blk + t) * WORD_BYTES + 2L * lane(i), 2);
                        }
                    }
                }
            }
        });
        return dst;
    }

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LittleEndian.ORDER);

    @Override
    boolean roundsInput() {
        return true;
    }

    /**
     * Rounds x to Q8_K blocks as {@link ActivationRounding} does and spreads each column's integer over a vector in
     * this thread's buffer, in the order the words hold the columns. Returns per super-block the scale of x and the
     * sums of its integers over the eight groups (for the minimums).
     */
    @Override
    float[] prepare(float[] x, int xOff) {
        short[][] holder = BROADCAST.get();
        if (holder[0].length < cols() * R) {
            holder[0] = new short[cols() * R];
        }
        short[] xb = holder[0];
        RowScratch scratch = RowScratch.get();
        float[] aux = scratch.floats(9 * blocks);
        int[] q = scratch.ints(BLOCK);
        for (int b = 0; b < blocks; b++) {
            aux[9 * b] = ActivationRounding.q8_K(x, xOff + BLOCK * b, q);
            for (int s = 0; s < 8; s++) {
                int sum = 0;
                for (int c = 32 * s; c < 32 * s + 32; c++) {
                    sum += q[c];
                }
                aux[9 * b + 1 + s] = sum;
            }
            for (int t = 0; t < 64; t++) {
                int c = 64 * (t >> 4) + 2 * (t & 15);
                int at = (64 * b + t) * 4 * R;
                ShortVector.broadcast(S, (short) q[c]).intoArray(xb, at);
                ShortVector.broadcast(S, (short) q[c + 32]).intoArray(xb, at + R);
                ShortVector.broadcast(S, (short) q[c + 1]).intoArray(xb, at + 2 * R);
                ShortVector.broadcast(S, (short) q[c + 33]).intoArray(xb, at + 3 * R);
            }
        }
        return aux;
    }

    /**
     * One loop over every word of the group: each nibble position has its own 16-bit sum (sixteen products per
     * group). The work done once per pair of groups and per super-block is in methods of its own, which take the
     * sums and partial results through this thread's arrays: inlined into the loop's method it pushed C2 past its
     * inlining budget, and vector arguments of a method left out of line would be boxed.
     */
    @Override
    void dotGroup(int g, float[] x, int xOff, float[] aux, float[] out, int o) {
        short[] xb = BROADCAST.get()[0];
        State st = STATE.get();
        long p = groupOffset(g);
        minimums(p, aux, st.partial);
        long w = p + quants;
        short[] sums = st.sums(16 * blocks * R);
        ShortVector a0 = ShortVector.zero(S);
        ShortVector a1 = a0;
        ShortVector a2 = a0;
        ShortVector a3 = a0;
        for (int t = 0, words = 64 * blocks; t < words; t++) {
            ShortVector v = ShortVector.fromMemorySegment(S, data, w + t * WORD_BYTES, LittleEndian.ORDER);
            int xi = 4 * R * t;
            a0 = v.and((short) 0x0F).mul(ShortVector.fromArray(S, xb, xi)).add(a0);
            a1 = v.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S, xb, xi + R))
                    .add(a1);
            a2 = v.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).mul(ShortVector.fromArray(S, xb, xi + 2 * R))
                    .add(a2);
            a3 = v.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xb, xi + 3 * R)).add(a3);
            if ((t & 15) == 15) {
                int at = 4 * R * (t >>> 4);
                a0.intoArray(sums, at);
                a1.intoArray(sums, at + R);
                a2.intoArray(sums, at + 2 * R);
                a3.intoArray(sums, at + 3 * R);
                a0 = ShortVector.zero(S);
                a1 = a0;
                a2 = a0;
                a3 = a0;
            }
        }
        for (int pair = 0; pair < 4 * blocks; pair++) {
            pairDone(pair, p, aux, st);
        }
        System.arraycopy(st.partial, 0, out, o, R);
    }

    /** Per-thread state of {@link #dotGroup}: the 16-bit sums, then the result (2L rows) and a super-block's dots. */
    private static final class State {
        private short[] sums = new short[0];
        final float[] partial = new float[2 * R];

        /** The 16-bit sums of every pair of groups of a row group: 4 vectors per pair. */
        short[] sums(int n) {
            if (sums.length < n) {
                sums = new short[n];
            }
            return sums;
        }
    }

    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    /** {@code partial[0 .. 2L)} = minus the sum over super-blocks of dmin * dx * (sum over groups of m * sum of x). */
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
        FloatVector.zero(F).intoArray(partial, R);
        FloatVector.zero(F).intoArray(partial, R + L);
    }

    /**
     * Pair of groups {@code pair}, for each half h of the rows (h = 0: the first L rows, the even 16-bit lanes):
     * its 16-bit sums widened, converted and weighted by the two groups' scales; after a super-block's last pair,
     * its dots times d and its scale of x. Kept out of the word loop's method (and called from a loop of its own,
     * not at each pair's end), which with this inlined exceeded C2's inlining budget: its vector calls were boxed.
     */
    private void pairDone(int pair, long p, float[] aux, State st) {
        short[] sums = st.sums;
        float[] partial = st.partial;
        int b = pair >>> 2;
        long meta = p + b * META_BYTES;
        for (int h = 0; h < 2; h++) {
            long sc = meta + SC + ((pair & 2) << 1) * (long) R + 4L * L * h; // groups 4-7 from pair 2 on
            IntVector scales = IntVector.fromMemorySegment(I, data, sc, LittleEndian.ORDER)
                    .lanewise(VectorOperators.LSHR, 16 * (pair & 1));
            int up = 16 - 16 * h;
            int s = 4 * R * pair;
            // group 2p is nibbles 0 and 2, group 2p + 1 nibbles 1 and 3
            IntVector even = lane(sums, s, up).add(lane(sums, s + 2 * R, up));
            IntVector odd = lane(sums, s + R, up).add(lane(sums, s + 3 * R, up));
            int at = R + L * h;
            FloatVector dot = toFloat(even).fma(bytes(scales, 0),
                    toFloat(odd).fma(bytes(scales, 1), FloatVector.fromArray(F, partial, at)));
            if ((pair & 3) == 3) {
                FloatVector.fromMemorySegment(F, data, meta + 4L * L * h, LittleEndian.ORDER).mul(dot)
                        .fma(FloatVector.broadcast(F, aux[9 * b]), FloatVector.fromArray(F, partial, L * h))
                        .intoArray(partial, L * h);
                dot = FloatVector.zero(F);
            }
            dot.intoArray(partial, at);
        }
    }

    /** The 16-bit sums at {@code sums[from ..]} of one row half, sign-extended: up = 16 for even lanes, 0 for odd. */
    private static IntVector lane(short[] sums, int from, int up) {
        return ShortVector.fromArray(S, sums, from).reinterpretAsInts().lanewise(VectorOperators.LSHL, up)
                .lanewise(VectorOperators.ASHR, 16);
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
                    int pair = s >> 1;
                    int nibble = 4 * (s & 1);
                    for (int k = 0; k < 16; k++) {
                        IntVector v = IntVector.fromMemorySegment(I, data,
                                p + quants + (64L * b + 16 * pair + k) * WORD_BYTES, LittleEndian.ORDER);
                        int col = dstOff + (BLOCK * b - c0 + 32 * s + 2 * k) * stride + L * half;
                        int shift = 16 * half + nibble;
                        toFloat(v.lanewise(VectorOperators.LSHR, shift).and(0x0F)).fma(scale, min)
                                .intoArray(dst, col);
                        toFloat(v.lanewise(VectorOperators.LSHR, shift + 8).and(0x0F)).fma(scale, min)
                                .intoArray(dst, col + stride);
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
                int c = 64 * (t >> 4) + 2 * (t & 15);
                for (int n = 0; n < 4; n++) {
                    int col = c + 32 * (n & 1) + (n >> 1);
                    int s = col / 32;
                    int sc = data.get(ValueLayout.JAVA_BYTE, meta + SC + (s >> 2) * 4L * R + (s & 3)) & 0xFF;
                    int m = data.get(ValueLayout.JAVA_BYTE, meta + M + (s >> 2) * 4L * R + (s & 3)) & 0xFF;
                    dst[o + col] = (word >>> 4 * n & 0x0F) * (d * sc) + -(dmin * m);
                }
            }
        }
    }
}
