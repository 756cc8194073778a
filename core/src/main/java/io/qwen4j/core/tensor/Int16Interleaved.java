package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * What the interleaved kernels that multiply in 16-bit integers share (Q4_0, Q4_K, Q5_K, Q6_K). A group has 2L rows
 * in two halves of L rows; a 16-bit vector holds one half for two neighbouring columns, lane 2i for row i of the
 * half and column 2k, lane 2i + 1 for the same row and column 2k + 1. The input is kept as pairs of 8-bit integers,
 * columns 2k and 2k + 1 in one int ({@link #prepareInput}): broadcast as ints, that pair lines up with every row's
 * two columns, and a row's sum is its even plus its odd lane. The pairs take 2 bytes per column and stay in the
 * first-level cache; spreading each column over a whole vector instead took 32 and, pushed out by the streaming
 * weights, cost about 10-18% of the kernels' time reading from memory.
 * <p>
 * The quants of a group are stored in steps over the columns, half 0 then half 1 in each: the 4-bit types (Q4_0,
 * Q4_K) in steps of 8 columns, nibble n of lane 2i + p being column 8t + 2n + p ({@link #nibbleWord}); Q5_K a byte
 * per quant ({@link Q5_KInterleaved}); Q6_K its 6 bits packed in 16-bit words ({@link Q6_KInterleaved}).
 * <p>
 * The K-quants with minimums (Q4_K, Q5_K) also share their per-super-block values: the rows' d and dmin as floats,
 * then their eight 6-bit group scales and minimums as bytes (one int per row for groups 0-3, one for 4-7, for sc and
 * then m), {@link #K_META} bytes per super-block and group. Per-row values are in row order, so the first L are half
 * 0's rows.
 */
abstract class Int16Interleaved extends InterleavedMatrix {

    static final VectorSpecies<Float> F = Simd.F;
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, F.vectorShape());
    static final VectorSpecies<Integer> I = Simd.I;
    static final int L = Simd.L;
    static final int R = SHORT_ROWS;
    /** One 16-bit vector: half a group, two columns of 16-bit words. */
    static final long VECTOR_BYTES = 4L * L;
    /** A step: both halves, 8 columns of the 4-bit types or 4 of Q5_K's bytes. */
    static final long STEP = 2 * VECTOR_BYTES;

    /**
     * The low nibble of both 16-bit halves of an int. The word loops shift in 32 bits and mask: C2 emits 16-bit
     * vector shifts with the count moved into a register first (an extra instruction per shift), 32-bit ones with
     * an immediate.
     */
    static final int NIBBLES = 0x000F000F;

    /** K-quant super-blocks: columns, and the offsets of dmin, sc and m in the per-super-block values. */
    static final int K_BLOCK = 256;
    static final long DMIN = 4L * R;
    static final long SC = 8L * R;
    static final long M = 16L * R;
    static final long K_META = 24L * R;

    Int16Interleaved(String name, GGMLType type, int rows, int cols, MemorySegment packed, long base,
                     long groupBytes) {
        super(name, type, rows, cols, packed, base, R, groupBytes);
    }

    /** The byte offset, from the start of the quants, of the 16-bit word that holds row i, column c (4-bit types). */
    static int nibbleWord(int i, int c) {
        return (int) ((c >> 3) * STEP + (i / L) * VECTOR_BYTES) + 2 * (2 * (i % L) + (c & 1));
    }

    /**
     * Both words of a step of a 4-bit type for one row, from the eight stored bytes at {@code in[at ..]} whose low
     * (shift 0) or high (shift 4) nibbles are the step's columns in order: the even columns' word in the low 16 bits,
     * the odd columns' in the high 16, which is the int at {@code nibbleWord(i, 8t)} (row i's two lanes are
     * neighbours). Repacking a nibble at a time with the column arithmetic per nibble made loading a Q4_K model
     * take seconds per gigabyte.
     */
    static int stepWords(byte[] in, int at, int shift) {
        long v = LittleEndian.getLong(in, at) >>> shift;
        long even = v & 0x000F000F000F000FL;
        long odd = v >>> 8 & 0x000F000F000F000FL;
        return (int) (even | even >>> 12 | even >>> 24 | even >>> 36) & 0xFFFF
                | (int) (odd | odd >>> 12 | odd >>> 24 | odd >>> 36) << 16;
    }

    /** Which nibble of its word ({@link #nibbleWord}) holds column c. */
    static int nibble(int c) {
        return (c & 7) >> 1;
    }

    /**
     * Not for the word loops: a shared helper that another kernel has already compiled on its own can be left out
     * of line there (its vector then boxed), so those loops write the conversion out.
     */
    static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** Byte k of every int lane (unsigned), as a float. */
    static FloatVector bytes(IntVector v, int k) {
        return toFloat(v.lanewise(VectorOperators.LSHR, 8 * k).and(0xFF));
    }

    /** Signed byte k of every int lane as a float. */
    static FloatVector signedByte(IntVector v, int k) {
        return toFloat(v.lanewise(VectorOperators.LSHL, 24 - 8 * k).lanewise(VectorOperators.ASHR, 24));
    }

    @Override
    boolean roundsInput() {
        return true;
    }

    /**
     * For the K-quants: rounds x to Q8_K blocks as {@link ActivationRounding} does, pairs the integers of
     * neighbouring columns, and keeps per super-block the scale of x and the sums of its integers over the eight
     * groups of 32 (nine floats).
     */
    @Override
    void prepareInput(float[] x, int xOff, Input in) {
        int[] pairs = in.pairs(cols() / 2);
        int blocks = cols() / K_BLOCK;
        float[] aux = in.blocks(9 * blocks);
        int[] q = in.ints(K_BLOCK);
        for (int b = 0; b < blocks; b++) {
            aux[9 * b] = ActivationRounding.q8_K(x, xOff + K_BLOCK * b, q);
            for (int s = 0; s < 8; s++) {
                int sum = 0;
                for (int c = 32 * s; c < 32 * s + 32; c++) {
                    sum += q[c];
                }
                aux[9 * b + 1 + s] = sum;
            }
            putPairs(q, K_BLOCK, pairs, K_BLOCK / 2 * b);
        }
    }

    /** {@code pairs[at + k]} = the integers of columns 2k and 2k + 1 of q, k below n / 2. */
    static void putPairs(int[] q, int n, int[] pairs, int at) {
        for (int k = 0; k < n / 2; k++) {
            pairs[at + k] = q[2 * k] & 0xFFFF | q[2 * k + 1] << 16;
        }
    }

    /** Writes the K-quant values of the stored super-block at {@code in[s ..]} for row i at {@code out[meta ..]}. */
    static void putKMeta(byte[] in, int s, byte[] out, int meta, int i) {
        int at = meta + 4 * i;
        LittleEndian.putFloat(out, at, Float.float16ToFloat(LittleEndian.getShort(in, s)));
        LittleEndian.putFloat(out, at + (int) DMIN, Float.float16ToFloat(LittleEndian.getShort(in, s + 2)));
        long sc = Q4_KMatrix.scaleBytes(in, s, false);
        long m = Q4_KMatrix.scaleBytes(in, s, true);
        LittleEndian.putInt(out, at + (int) SC, (int) sc);
        LittleEndian.putInt(out, at + (int) SC + 4 * R, (int) (sc >>> 32));
        LittleEndian.putInt(out, at + (int) M, (int) m);
        LittleEndian.putInt(out, at + (int) M + 4 * R, (int) (m >>> 32));
    }

    /**
     * K-quants with minimums, for dequantising: of super-block values at {@code meta} and half h, per group s the
     * rows' d * sc at {@code factors[s * L ..]} and -(dmin * m) at {@code factors[(8 + s) * L ..]}, as {@link
     * Q4_KMatrix} computes them. An array, not vectors, so that nothing is boxed if C2 leaves it out of line.
     */
    final void kGroupFactors(long meta, int h, float[] factors) {
        long half = 4L * L * h;
        FloatVector d = FloatVector.fromMemorySegment(F, data, meta + half, LittleEndian.ORDER);
        FloatVector dmin = FloatVector.fromMemorySegment(F, data, meta + DMIN + half, LittleEndian.ORDER);
        for (int s = 0; s < 8; s++) {
            long at = (s >> 2) * 4L * R + half;
            IntVector sc = IntVector.fromMemorySegment(I, data, meta + SC + at, LittleEndian.ORDER);
            IntVector m = IntVector.fromMemorySegment(I, data, meta + M + at, LittleEndian.ORDER);
            d.mul(bytes(sc, s & 3)).intoArray(factors, s * L);
            dmin.mul(bytes(m, s & 3)).neg().intoArray(factors, (8 + s) * L);
        }
    }

    /**
     * K-quants: {@code partial[0 .. 2L)} = minus the sum over super-blocks of dmin * dx * (sum over groups of m *
     * sum of x). This and the kernels' other passes are methods of their own, called once per row group, so that each
     * compilation stays within C2's inlining budget (past it, vector calls are left out of line and boxed).
     */
    final void kMinimums(long p, float[] aux, float[] partial) {
        java.util.Arrays.fill(partial, 0, R, 0f);
        kWeightedSums(p, M, DMIN, -1f, aux, partial);
    }

    /**
     * K-quants: {@code partial[0 .. 2L) +=} the sum over super-blocks b of {@code sign * dx_b * v * (sum over the
     * eight groups of the byte value at bytesAt (scales or minimums, groups 0-3 then 4-7) times the group's sum of
     * x)}, v the rows' floats at floatsAt (d or dmin); both offsets are from the start of a super-block's values. One
     * call per row group with the sums kept in registers, not one per super-block that reloads and stores them (and
     * checks the segment again). It takes and returns no vectors: if C2 leaves it out of line, nothing is boxed.
     */
    final void kWeightedSums(long p, long bytesAt, long floatsAt, float sign, float[] aux, float[] partial) {
        MemorySegment values = data; // a local: the field was reloaded in loops
        FloatVector first = FloatVector.fromArray(F, partial, 0);
        FloatVector second = FloatVector.fromArray(F, partial, L);
        for (int b = 0, blocks = cols() / K_BLOCK; b < blocks; b++) {
            long at = p + b * K_META + bytesAt;
            long v = p + b * K_META + floatsAt;
            int x = 9 * b;
            FloatVector f = FloatVector.broadcast(F, sign * aux[x]);
            IntVector low = IntVector.fromMemorySegment(I, values, at, LittleEndian.ORDER);
            IntVector high = IntVector.fromMemorySegment(I, values, at + 4L * R, LittleEndian.ORDER);
            FloatVector sum = FloatVector.zero(F);
            for (int k = 0; k < 4; k++) {
                sum = bytes(low, k).fma(FloatVector.broadcast(F, aux[x + 1 + k]),
                        bytes(high, k).fma(FloatVector.broadcast(F, aux[x + 5 + k]), sum));
            }
            first = FloatVector.fromMemorySegment(F, values, v, LittleEndian.ORDER).mul(sum).fma(f, first);
            low = IntVector.fromMemorySegment(I, values, at + 4L * L, LittleEndian.ORDER);
            high = IntVector.fromMemorySegment(I, values, at + 4L * R + 4L * L, LittleEndian.ORDER);
            sum = FloatVector.zero(F);
            for (int k = 0; k < 4; k++) {
                sum = bytes(low, k).fma(FloatVector.broadcast(F, aux[x + 1 + k]),
                        bytes(high, k).fma(FloatVector.broadcast(F, aux[x + 5 + k]), sum));
            }
            second = FloatVector.fromMemorySegment(F, values, v + 4L * L, LittleEndian.ORDER).mul(sum)
                    .fma(f, second);
        }
        first.intoArray(partial, 0);
        second.intoArray(partial, L);
    }

    private static final ThreadLocal<float[]> PARTIAL = ThreadLocal.withInitial(() -> new float[R]);
    private static final ThreadLocal<float[]> FACTORS = ThreadLocal.withInitial(() -> new float[16 * L]);

    /** This thread's buffer for {@link #kGroupFactors}. */
    static float[] factors() {
        return FACTORS.get();
    }

    /** This thread's buffer for a row group's result (2L rows) while a kernel builds it. */
    static float[] partial() {
        return PARTIAL.get();
    }
}
