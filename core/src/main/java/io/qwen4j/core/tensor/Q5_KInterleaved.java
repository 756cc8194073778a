package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q5_K ({@link Q5_KMatrix}) with its rows interleaved ({@link InterleavedMatrix}) and multiplied in 16-bit integers.
 * Each 5-bit quant is stored unpacked as the signed byte q - 16, as {@link Q6_KInterleaved} stores its quants: with
 * an 8-bit activation, sixteen products fit a 16-bit sum (16 * 127 * 16 &lt; 2^15), a whole group of 32 columns in
 * two sums. The 16 taken off every quant and the minimums come back per group through the sums of x:
 * {@code d * sc * q - dmin * m = d * sc * (q - 16) + (16 * d * sc - dmin * m)}. Eight bits per weight where Q5_K
 * takes 5.5: decode on these machines is bound by instructions, which the unpacked bytes save.
 * <p>
 * A group of 2L rows holds first, per super-block, the rows' d and dmin as floats and their 6-bit group scales and
 * minimums as bytes, laid out as {@link Q4_KInterleaved} lays them out; after all super-blocks come the quants, 128
 * words per row and super-block, word t holding columns 2t (low byte) and 2t + 1. Row i &lt; L sits in 16-bit lane
 * 2i, row L + i in lane 2i + 1.
 */
final class Q5_KInterleaved extends InterleavedMatrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, F.vectorShape());
    private static final VectorSpecies<Integer> I = Simd.I;
    private static final int L = Simd.L;
    private static final int R = SHORT_ROWS;
    private static final int BLOCK = 256;
    private static final int SRC_BYTES = 176;
    private static final int SRC_QH = 16;
    private static final int SRC_QS = 48;
    private static final long DMIN = 4L * R;
    private static final long SC = 8L * R;
    private static final long M = 16L * R;
    private static final long META_BYTES = 24L * R;
    private static final long WORD_BYTES = 2L * R;

    private static final ThreadLocal<float[]> STATE = ThreadLocal.withInitial(() -> new float[R]);
    private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[0]);

    private final int blocks;
    private final long quants;

    Q5_KInterleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q5_K, rows, cols, packed, base, R, groupBytes(cols));
        this.blocks = cols / BLOCK;
        this.quants = blocks * META_BYTES;
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * (META_BYTES + 128 * WORD_BYTES);
    }

    private static int lane(int i) {
        return i < L ? 2 * i : 2 * (i - L) + 1;
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q5_K matrices at src. */
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
                    int w = quants + 128 * blk * (int) WORD_BYTES + 2 * lane(i);
                    // group g: the low (even g) or high nibbles of qs[32 (g / 2) ..], bit g of qh[..] as bit 4
                    for (int g = 0; g < 8; g++) {
                        int qs = s + SRC_QS + 32 * (g >> 1);
                        int nibble = 4 * (g & 1);
                        for (int l = 0; l < 32; l++) {
                            int q = (in[qs + l] >> nibble & 0x0F) | (in[s + SRC_QH + l] >> g & 1) << 4;
                            int c = 32 * g + l;
                            out[w + (c >> 1) * (int) WORD_BYTES + (c & 1)] = (byte) (q - 16);
                        }
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
     * this thread's buffer. Returns per super-block the scale of x and the sums of its integers over the groups.
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
     * The groups' offsets (16 d sc - dmin m times the sums of x) and scales (d * sc times the block's scale of x)
     * first, each a method of its own, then the word loop ({@link #words}), so that each compilation stays within
     * C2's inlining budget (past it, vector calls are left out of line and boxed).
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
        offsets(p, aux, partial);
        groupScales(p, aux, scales);
        words(p, in.broadcast(), scales, partial);
        System.arraycopy(partial, 0, out, o, R);
    }

    /** {@code partial[0 .. 2L)} = minus the sum over super-blocks of dmin * dx * (sum over groups of m * sum of x). */
    private void minimums(long p, float[] aux, float[] partial) {
        FloatVector first = FloatVector.zero(F);
        FloatVector second = first;
        for (int b = 0; b < blocks; b++) {
            long meta = p + b * META_BYTES;
            FloatVector s0 = groupSums(meta + M, aux, b, 0);
            FloatVector s1 = groupSums(meta + M, aux, b, 1);
            FloatVector dx = FloatVector.broadcast(F, -aux[9 * b]);
            first = FloatVector.fromMemorySegment(F, data, meta + DMIN, LittleEndian.ORDER).mul(s0).fma(dx, first);
            second = FloatVector.fromMemorySegment(F, data, meta + DMIN + 4L * L, LittleEndian.ORDER).mul(s1)
                    .fma(dx, second);
        }
        first.intoArray(partial, 0);
        second.intoArray(partial, L);
    }

    /**
     * For row half h: the sum over the eight groups of the byte value at {@code at} (scales or minimums, groups 0-3
     * then 4-7) times the group's sum of x.
     */
    private FloatVector groupSums(long at, float[] aux, int b, int h) {
        IntVector low = IntVector.fromMemorySegment(I, data, at + 4L * L * h, LittleEndian.ORDER);
        IntVector high = IntVector.fromMemorySegment(I, data, at + 4L * R + 4L * L * h, LittleEndian.ORDER);
        FloatVector sum = FloatVector.zero(F);
        for (int k = 0; k < 4; k++) {
            sum = bytes(low, k).fma(FloatVector.broadcast(F, aux[9 * b + 1 + k]),
                    bytes(high, k).fma(FloatVector.broadcast(F, aux[9 * b + 5 + k]), sum));
        }
        return sum;
    }

    /** {@code partial[0 .. 2L)} += 16 * dx * d * (sum over groups of sc * sum of x): the 16 taken off each quant. */
    private void offsets(long p, float[] aux, float[] partial) {
        FloatVector first = FloatVector.fromArray(F, partial, 0);
        FloatVector second = FloatVector.fromArray(F, partial, L);
        for (int b = 0; b < blocks; b++) {
            long meta = p + b * META_BYTES;
            FloatVector dx = FloatVector.broadcast(F, 16f * aux[9 * b]);
            first = groupSums(meta + SC, aux, b, 0).mul(dx)
                    .fma(FloatVector.fromMemorySegment(F, data, meta, LittleEndian.ORDER), first);
            second = groupSums(meta + SC, aux, b, 1).mul(dx)
                    .fma(FloatVector.fromMemorySegment(F, data, meta + 4L * L, LittleEndian.ORDER), second);
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

    /**
     * One loop over every word of the group: the low and high bytes have a 16-bit sum each (sixteen products per
     * group of 32 columns); at a group's last word they are widened (even lanes: the first L rows), converted and
     * weighted by the group's scale. Adds to {@code partial}. Nothing is stored inside the loop (a store there made
     * C2 reload the segment's fields at every step).
     */
    private void words(long p, short[] xb, float[] scales, float[] partial) {
        long w = p + quants;
        MemorySegment quantData = data;
        FloatVector first = FloatVector.fromArray(F, partial, 0);
        FloatVector second = FloatVector.fromArray(F, partial, L);
        ShortVector a0 = ShortVector.zero(S);
        ShortVector a1 = a0;
        for (int t = 0, words = 128 * blocks; t < words; t++) {
            ShortVector v = ShortVector.fromMemorySegment(S, quantData, w + t * WORD_BYTES, LittleEndian.ORDER);
            int xi = 2 * R * t;
            a0 = v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                    .mul(ShortVector.fromArray(S, xb, xi)).add(a0);
            a1 = v.lanewise(VectorOperators.ASHR, 8).mul(ShortVector.fromArray(S, xb, xi + R)).add(a1);
            if ((t & 15) == 15) {
                int at = R * (t >>> 4);
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

    /** Byte k of every int lane, as a float. */
    private static FloatVector bytes(IntVector v, int k) {
        return toFloat(v.lanewise(VectorOperators.LSHR, 8 * k).and(0xFF));
    }

    private static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /**
     * Per word, read as L ints: byte n of each int is, for n = 0, 1, columns 2t and 2t + 1 of an even lane (the
     * first L rows), for n = 2, 3 those of an odd lane.
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
                    // as Q5_KMatrix: q * (d * sc) + -(dmin * m)
                    FloatVector scale = d.mul(bytes(sc, s & 3));
                    FloatVector min = dmin.mul(bytes(m, s & 3)).neg();
                    for (int k = 0; k < 16; k++) {
                        int t = 16 * s + k;
                        IntVector v = IntVector.fromMemorySegment(I, data, p + quants + (128L * b + t) * WORD_BYTES,
                                LittleEndian.ORDER);
                        int col = dstOff + (BLOCK * b - c0 + 2 * t) * stride + L * half;
                        int up = 24 - 16 * half;
                        toFloat(v.lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24).add(16))
                                .fma(scale, min).intoArray(dst, col);
                        toFloat(v.lanewise(VectorOperators.LSHL, up - 8).lanewise(VectorOperators.ASHR, 24).add(16))
                                .fma(scale, min).intoArray(dst, col + stride);
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
                int q = data.get(ValueLayout.JAVA_BYTE,
                        p + quants + (128L * b + (c >> 1)) * WORD_BYTES + 2L * lane(i) + (c & 1)) + 16;
                dst[o + c] = q * (d * sc) + -(dmin * m);
            }
        }
    }
}
