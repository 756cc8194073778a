package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q6_K ({@link Q6_KMatrix}) with its rows interleaved ({@link InterleavedMatrix}). A super-block of 256 columns keeps
 * the byte structure of the stored one, with byte k of every row side by side: the R scales d as floats, then the
 * 16 int8 group scales, the 128 bytes ql (low four bits) and the 64 bytes qh (high two bits) of each row. In half h,
 * for l &lt; 32, ql byte 64h + l holds columns 128h + l (low nibble) and 128h + l + 64 (high), ql byte 64h + l + 32
 * columns 128h + l + 32 and 128h + l + 96, and qh byte 32h + l the high bits of those four columns, two bits each in
 * the order l, l + 32, l + 64, l + 96. Column c belongs to group c / 16; its value is {@code d * sc * (q - 32)}.
 */
final class Q6_KInterleaved extends InterleavedMatrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int R = FLOAT_ROWS;
    private static final int BLOCK = 256;
    private static final int SRC_BYTES = 210;
    private static final int SRC_QH = 128;
    private static final int SRC_SCALES = 192;
    private static final int SRC_D = 208;
    private static final long SCALES = 4L * R;
    private static final long Q = SCALES + 16L * R;
    private static final long BLOCK_BYTES = Q + 256L * R;

    Q6_KInterleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q6_K, rows, cols, packed, base, R, groupBytes(cols));
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * BLOCK_BYTES;
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q6_K matrices at src. */
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
                for (int i = 0; i < R && g * R + i < rows; i++) {
                    long in = (e * rows + g * R + i) * rowBytes;
                    long out = eg * groupBytes;
                    for (int blk = 0; blk < blocks; blk++, in += SRC_BYTES, out += BLOCK_BYTES) {
                        dst.set(LittleEndian.FLOAT, out + 4L * i,
                                Float.float16ToFloat(src.get(LittleEndian.SHORT, in + SRC_D)));
                        interleave(src, in + SRC_SCALES, dst, out + SCALES + i, 16);
                        for (int col = 0; col < BLOCK; col++) {
                            dst.set(ValueLayout.JAVA_BYTE, out + Q + (long) col * R + i, (byte) (quant(src, in, col) - 32));
                        }
                    }
                }
            }
        });
        return dst;
    }

    /** n bytes from {@code src[from ..]} to every R-th byte of dst from {@code to} on. */
    private static void interleave(MemorySegment src, long from, MemorySegment dst, long to, int n) {
        for (int k = 0; k < n; k++) {
            dst.set(ValueLayout.JAVA_BYTE, to + (long) k * R, src.get(ValueLayout.JAVA_BYTE, from + k));
        }
    }

    /** The 6-bit quant of column col of the stored super-block at in. */
    private static int quant(MemorySegment src, long in, int col) {
        int h = col / 128;
        int l = col % 32;
        int k = col % 128 / 32;
        int ql = src.get(ValueLayout.JAVA_BYTE, in + 64 * h + l + 32 * (k & 1));
        int qh = src.get(ValueLayout.JAVA_BYTE, in + SRC_QH + 32 * h + l);
        return ((k < 2 ? ql : ql >>> 4) & 0x0F) | (qh >>> 2 * k & 3) << 4;
    }

    @Override
    float[] prepare(float[] x, int xOff) {
        return null;
    }

    /** The R rows' scales of group s of the block at p: d * sc, sc a signed byte. */
    private FloatVector groupScale(long p, FloatVector d, int s) {
        IntVector sc = Nibbles.widenSigned(data, p + SCALES + (long) s * R);
        return ((FloatVector) sc.convert(VectorOperators.I2F, 0)).mul(d);
    }

    /**
     * Per group of 16 columns: the dot of each row's quants (stored as q - 32, one signed byte each) with x, four
     * accumulators deep, times the rows' group scales d * sc.
     */
    @Override
    void dotGroup(int g, float[] x, int xOff, float[] aux, float[] out, int o) {
        long p = groupOffset(g);
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0, blocks = cols() / BLOCK; b < blocks; b++, p += BLOCK_BYTES) {
            FloatVector d = FloatVector.fromMemorySegment(F, data, p, LittleEndian.ORDER);
            for (int s = 0; s < 16; s++) {
                int xi = xOff + b * BLOCK + 16 * s;
                long q = p + Q + 16L * s * R;
                FloatVector s0 = FloatVector.zero(F);
                FloatVector s1 = s0;
                FloatVector s2 = s0;
                FloatVector s3 = s0;
                for (int l = 0; l < 16; l += 4) {
                    s0 = signed(q + (long) l * R).fma(FloatVector.broadcast(F, x[xi + l]), s0);
                    s1 = signed(q + (long) (l + 1) * R).fma(FloatVector.broadcast(F, x[xi + l + 1]), s1);
                    s2 = signed(q + (long) (l + 2) * R).fma(FloatVector.broadcast(F, x[xi + l + 2]), s2);
                    s3 = signed(q + (long) (l + 3) * R).fma(FloatVector.broadcast(F, x[xi + l + 3]), s3);
                }
                acc = s0.add(s1).add(s2.add(s3)).fma(groupScale(p, d, s), acc);
            }
        }
        acc.intoArray(out, o);
    }

    /** The R signed bytes at {@code at} as floats. */
    private FloatVector signed(long at) {
        return (FloatVector) Nibbles.widenSigned(data, at).convert(VectorOperators.I2F, 0);
    }

    @Override
    void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride) {
        long p = groupOffset(g) + (long) (c0 / BLOCK) * BLOCK_BYTES;
        for (int c = c0; c < c1; c += BLOCK, p += BLOCK_BYTES) {
            FloatVector d = FloatVector.fromMemorySegment(F, data, p, LittleEndian.ORDER);
            for (int s = 0; s < 16; s++) {
                FloatVector scale = groupScale(p, d, s);
                for (int l = 0; l < 16; l++) {
                    int col = 16 * s + l;
                    signed(p + Q + (long) col * R).mul(scale).intoArray(dst, dstOff + (c - c0 + col) * stride);
                }
            }
        }
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        int i = r % R;
        long p = groupOffset(r / R) + (long) (c0 / BLOCK) * BLOCK_BYTES;
        for (int c = c0; c < c1; c += BLOCK, p += BLOCK_BYTES) {
            float d = data.get(LittleEndian.FLOAT, p + 4L * i);
            for (int col = 0; col < BLOCK; col++) {
                int q = data.get(ValueLayout.JAVA_BYTE, p + Q + (long) col * R + i);
                byte sc = data.get(ValueLayout.JAVA_BYTE, p + SCALES + (long) (col / 16) * R + i);
                dst[dstOff + c - c0 + col] = q * (d * sc);
            }
        }
    }
}
