package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_0 ({@link Q4_0Matrix}) with its rows interleaved ({@link InterleavedMatrix}). Per block of 32 columns a group
 * holds the R scales d as floats, then the 16 quant bytes of the R rows, byte k of every row side by side: byte k
 * carries column k in its low nibble and column k + 16 in its high nibble, each {@code (q - 8) * d}.
 */
final class Q4_0Interleaved extends InterleavedMatrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int BLOCK = 32;
    private static final int SRC_BYTES = 18;
    /** Scales first, then the quants. */
    private static final long QS = 4L * R;
    private static final long BLOCK_BYTES = QS + 16L * R;
    private static final ValueLayout.OfFloat FLOAT = LittleEndian.FLOAT;

    Q4_0Interleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q4_0, rows, cols, packed, base, groupBytes(cols));
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * BLOCK_BYTES;
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q4_0 matrices at src. */
    static MemorySegment repack(MemorySegment src, int experts, int rows, int cols, Arena arena) {
        long groups = groups(rows);
        long groupBytes = groupBytes(cols);
        int blocks = cols / BLOCK;
        long rowBytes = (long) blocks * SRC_BYTES;
        MemorySegment dst = arena.allocate(experts * groups * groupBytes, 64); // zeroed: padding rows are 0
        Parallel.parallelFor(Math.toIntExact(experts * groups), (a, b) -> {
            for (int eg = a; eg < b; eg++) {
                long e = eg / groups;
                long g = eg % groups;
                for (int i = 0; i < R && g * R + i < rows; i++) {
                    long in = (e * rows + g * R + i) * rowBytes;
                    long out = eg * groupBytes;
                    for (int blk = 0; blk < blocks; blk++, in += SRC_BYTES, out += BLOCK_BYTES) {
                        dst.set(FLOAT, out + 4L * i, Float.float16ToFloat(src.get(LittleEndian.SHORT, in)));
                        for (int k = 0; k < 16; k++) {
                            dst.set(ValueLayout.JAVA_BYTE, out + QS + (long) k * R + i,
                                    src.get(ValueLayout.JAVA_BYTE, in + 2 + k));
                        }
                    }
                }
            }
        });
        return dst;
    }

    @Override
    float[] prepare(float[] x, int xOff) {
        return RowScratch.get().sums(x, xOff, cols(), BLOCK);
    }

    /**
     * Per block: the quant dot of each row with x, four accumulators deep so that the FMAs do not wait on each
     * other, times the rows' scales; the -8 of every quant is taken out at the end through the block sums of x.
     */
    @Override
    void dotGroup(int g, float[] x, int xOff, float[] sums, float[] out, int o) {
        long p = groupOffset(g);
        FloatVector acc = FloatVector.zero(F);
        FloatVector offset = acc;
        for (int b = 0, blocks = cols() / BLOCK; b < blocks; b++, p += BLOCK_BYTES) {
            FloatVector d = FloatVector.fromMemorySegment(F, data, p, LittleEndian.ORDER);
            int xi = xOff + b * BLOCK;
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            for (int k = 0; k < 16; k += 2) {
                IntVector v = Nibbles.widen(data, p + QS + (long) k * R);
                IntVector w = Nibbles.widen(data, p + QS + (long) (k + 1) * R);
                s0 = Nibbles.low(v).fma(FloatVector.broadcast(F, x[xi + k]), s0);
                s1 = Nibbles.high(v).fma(FloatVector.broadcast(F, x[xi + k + 16]), s1);
                s2 = Nibbles.low(w).fma(FloatVector.broadcast(F, x[xi + k + 1]), s2);
                s3 = Nibbles.high(w).fma(FloatVector.broadcast(F, x[xi + k + 17]), s3);
            }
            acc = s0.add(s1).add(s2.add(s3)).fma(d, acc);
            offset = d.fma(FloatVector.broadcast(F, sums[b]), offset);
        }
        acc.sub(offset.mul(8f)).intoArray(out, o);
    }

    @Override
    void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride) {
        long p = groupOffset(g) + (long) (c0 / BLOCK) * BLOCK_BYTES;
        for (int c = c0; c < c1; c += BLOCK, p += BLOCK_BYTES) {
            FloatVector d = FloatVector.fromMemorySegment(F, data, p, LittleEndian.ORDER);
            FloatVector m = d.mul(-8f);
            int o = dstOff + (c - c0) * stride;
            for (int k = 0; k < 16; k++) {
                IntVector v = Nibbles.widen(data, p + QS + (long) k * R);
                Nibbles.low(v).fma(d, m).intoArray(dst, o + k * stride);
                Nibbles.high(v).fma(d, m).intoArray(dst, o + (k + 16) * stride);
            }
        }
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        int i = r % R;
        long p = groupOffset(r / R) + (long) (c0 / BLOCK) * BLOCK_BYTES;
        for (int c = c0; c < c1; c += BLOCK, p += BLOCK_BYTES) {
            float d = data.get(FLOAT, p + 4L * i);
            int o = dstOff + c - c0;
            for (int k = 0; k < 16; k++) {
                int q = data.get(ValueLayout.JAVA_BYTE, p + QS + (long) k * R + i) & 0xFF;
                dst[o + k] = ((q & 0x0F) - 8) * d;
                dst[o + k + 16] = ((q >>> 4) - 8) * d;
            }
        }
    }
}
