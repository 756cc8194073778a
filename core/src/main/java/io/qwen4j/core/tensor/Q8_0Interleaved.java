package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q8_0 ({@link Q8_0Matrix}) with its rows interleaved ({@link InterleavedMatrix}). Per block of 32 columns a group
 * holds the R scales as floats, then the quants four columns at a time: one int per row, row i's int holding its
 * quants of columns 4j .. 4j + 3 (lowest byte first). One load of R ints is four columns of the group, and a shift
 * and a mask put each column's byte at the top of the int lanes.
 * <p>
 * The byte at the top of an int with the bytes below it cleared converts to {@code q * 2^24} exactly, so the scales
 * are stored as {@code d * 2^-24} (also exact) and no sign-extending shift back down is needed. This measured a
 * little faster than byte-per-row columns ({@code [32][R]} bytes, one load and sign extension per column), which were
 * slower than the row-by-row kernel.
 */
final class Q8_0Interleaved extends InterleavedMatrix {

    private static final int R = FLOAT_ROWS;
    private static final VectorSpecies<Float> F = Simd.F;
    private static final VectorSpecies<Integer> I = Simd.I;
    private static final int BLOCK = 32;
    private static final int SRC_BYTES = 34;
    /** Scales first, then the quants. */
    private static final long QS = 4L * R;
    private static final long BLOCK_BYTES = QS + 32L * R;
    /** The scale a quant at the top of an int lane takes. */
    private static final float TOP = 0x1p-24f;
    private static final ValueLayout.OfFloat FLOAT = LittleEndian.FLOAT;
    /** The top byte of an int lane. */
    private static final int TOP_BYTE = 0xFF000000;

    Q8_0Interleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q8_0, rows, cols, packed, base, R, groupBytes(cols));
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * BLOCK_BYTES;
    }

    /** Offset, after a block's scales, of the quant of column k of row i. */
    private static long quant(int k, int i) {
        return (long) (k >> 2) * 4 * R + 4L * i + (k & 3);
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q8_0 matrices at src. */
    static MemorySegment repack(MemorySegment src, int experts, int rows, int cols) {
        int blocks = cols / BLOCK;
        int rowBytes = blocks * SRC_BYTES;
        return repack(src, experts, rows, rowBytes, R, groupBytes(cols), (in, out) -> {
            for (int i = 0; i < R; i++) {
                for (int blk = 0, s = i * rowBytes; blk < blocks; blk++, s += SRC_BYTES) {
                    int o = blk * (int) BLOCK_BYTES;
                    LittleEndian.putFloat(out, o + 4 * i, Float.float16ToFloat(LittleEndian.getShort(in, s)) * TOP);
                    // four quants in a row are one int lane (quant(k, i))
                    for (int k = 0; k < BLOCK; k += 4) {
                        LittleEndian.putInt(out, o + (int) QS + (int) quant(k, i), LittleEndian.getInt(in, s + 2 + k));
                    }
                }
            }
        });
    }

    @Override
    void prepareInput(float[] x, int xOff, Input in) {
        // the float kernel reads x rounded as ActivationRounding rounds it (a no-op on an input already rounded)
        float[] rounded = in.floats(xOff + cols());
        ActivationRounding.round(ActivationRounding.Kind.Q8_0, x, xOff, cols(), rounded);
        in.x = rounded;
    }

    @Override
    boolean roundsInput() {
        return true;
    }

    /**
     * Per block: the quant dot of each row with x in four accumulators (one per byte of the int lanes), so that the
     * FMAs do not wait on each other, times the rows' scales. Eight accumulators over two loads per step measured
     * slower.
     */
    @Override
    void dotGroup(int g, Input in, float[] out, int o) {
        float[] x = in.x;
        int xOff = in.xOff;
        long p = groupOffset(g);
        MemorySegment quantData = data; // a local: a field is reloaded in loops
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0, blocks = cols() / BLOCK; b < blocks; b++, p += BLOCK_BYTES) {
            FloatVector d = FloatVector.fromMemorySegment(F, quantData, p, LittleEndian.ORDER);
            int xi = xOff + b * BLOCK;
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            // the block written out, top() too: as a loop of eight steps, C2 set up range checks and pre-, main and
            // post-loops once per block, as many instructions as the steps themselves (and a call it left out of
            // line in a method this long would box its vectors)
            long q = p + QS;
            IntVector v;
            v = IntVector.fromMemorySegment(I, quantData, q, LittleEndian.ORDER);
            s0 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi]), s0);
            s1 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 16).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 1]), s1);
            s2 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 8).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 2]), s2);
            s3 = ((FloatVector) v.and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 3]), s3);
            v = IntVector.fromMemorySegment(I, quantData, q + 1L * 4 * R, LittleEndian.ORDER);
            s0 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 4]), s0);
            s1 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 16).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 5]), s1);
            s2 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 8).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 6]), s2);
            s3 = ((FloatVector) v.and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 7]), s3);
            v = IntVector.fromMemorySegment(I, quantData, q + 2L * 4 * R, LittleEndian.ORDER);
            s0 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 8]), s0);
            s1 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 16).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 9]), s1);
            s2 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 8).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 10]), s2);
            s3 = ((FloatVector) v.and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 11]), s3);
            v = IntVector.fromMemorySegment(I, quantData, q + 3L * 4 * R, LittleEndian.ORDER);
            s0 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 12]), s0);
            s1 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 16).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 13]), s1);
            s2 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 8).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 14]), s2);
            s3 = ((FloatVector) v.and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 15]), s3);
            v = IntVector.fromMemorySegment(I, quantData, q + 4L * 4 * R, LittleEndian.ORDER);
            s0 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 16]), s0);
            s1 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 16).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 17]), s1);
            s2 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 8).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 18]), s2);
            s3 = ((FloatVector) v.and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 19]), s3);
            v = IntVector.fromMemorySegment(I, quantData, q + 5L * 4 * R, LittleEndian.ORDER);
            s0 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 20]), s0);
            s1 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 16).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 21]), s1);
            s2 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 8).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 22]), s2);
            s3 = ((FloatVector) v.and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 23]), s3);
            v = IntVector.fromMemorySegment(I, quantData, q + 6L * 4 * R, LittleEndian.ORDER);
            s0 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 24]), s0);
            s1 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 16).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 25]), s1);
            s2 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 8).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 26]), s2);
            s3 = ((FloatVector) v.and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 27]), s3);
            v = IntVector.fromMemorySegment(I, quantData, q + 7L * 4 * R, LittleEndian.ORDER);
            s0 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 28]), s0);
            s1 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 16).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 29]), s1);
            s2 = ((FloatVector) v.lanewise(VectorOperators.LSHL, 8).and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 30]), s2);
            s3 = ((FloatVector) v.and(TOP_BYTE).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, x[xi + 31]), s3);
            acc = s0.add(s1).add(s2.add(s3)).fma(d, acc);
        }
        acc.intoArray(out, o);
    }

    /** Byte k of every int lane at the top of its lane, the bytes below it cleared: {@code q * 2^24} as floats. */
    private static FloatVector top(IntVector v, int k) {
        IntVector t = k == 0 ? v.lanewise(VectorOperators.LSHL, 24)
                : (k == 3 ? v : v.lanewise(VectorOperators.LSHL, 24 - 8 * k)).and(0xFF000000);
        return (FloatVector) t.convert(VectorOperators.I2F, 0);
    }

    @Override
    void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride) {
        long p = groupOffset(g) + (long) (c0 / BLOCK) * BLOCK_BYTES;
        for (int c = c0; c < c1; c += BLOCK, p += BLOCK_BYTES) {
            // (q * 2^24) * (d * 2^-24) rounds once, to the same float as q * d
            FloatVector d = FloatVector.fromMemorySegment(F, data, p, LittleEndian.ORDER);
            int o = dstOff + (c - c0) * stride;
            for (int k = 0; k < BLOCK; k += 4) {
                IntVector v = IntVector.fromMemorySegment(I, data, p + QS + (long) k * R, LittleEndian.ORDER);
                top(v, 0).mul(d).intoArray(dst, o + k * stride);
                top(v, 1).mul(d).intoArray(dst, o + (k + 1) * stride);
                top(v, 2).mul(d).intoArray(dst, o + (k + 2) * stride);
                top(v, 3).mul(d).intoArray(dst, o + (k + 3) * stride);
            }
        }
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        int i = r % R;
        long p = groupOffset(r / R) + (long) (c0 / BLOCK) * BLOCK_BYTES;
        for (int c = c0; c < c1; c += BLOCK, p += BLOCK_BYTES) {
            float d = data.get(FLOAT, p + 4L * i) / TOP;
            int o = dstOff + c - c0;
            for (int k = 0; k < BLOCK; k++) {
                dst[o + k] = data.get(ValueLayout.JAVA_BYTE, p + QS + quant(k, i)) * d;
            }
        }
    }
}
