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
    private static final int BLOCK = 256;
    private static final int SRC_BYTES = 210;
    private static final int SRC_QH = 128;
    private static final int SRC_SCALES = 192;
    private static final int SRC_D = 208;
    private static final long SCALES = 4L * R;
    private static final long QL = SCALES + 16L * R;
    private static final long QH = QL + 128L * R;
    private static final long BLOCK_BYTES = QH + 64L * R;

    Q6_KInterleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q6_K, rows, cols, packed, base, groupBytes(cols));
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * BLOCK_BYTES;
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q6_K matrices at src. */
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
                        dst.set(LittleEndian.FLOAT, out + 4L * i,
                                Float.float16ToFloat(src.get(LittleEndian.SHORT, in + SRC_D)));
                        interleave(src, in + SRC_SCALES, dst, out + SCALES + i, 16);
                        interleave(src, in, dst, out + QL + i, 128);
                        interleave(src, in + SRC_QH, dst, out + QH + i, 64);
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

    @Override
    float[] prepare(float[] x, int xOff) {
        return RowScratch.get().sums(x, xOff, cols(), 16);
    }

    /** The R rows' scales of group s of the block at p: d * sc, sc a signed byte. */
    private FloatVector groupScale(long p, FloatVector d, int s) {
        IntVector sc = Nibbles.widen(data, p + SCALES + (long) s * R).lanewise(VectorOperators.LSHL, 24)
                .lanewise(VectorOperators.ASHR, 24);
        return ((FloatVector) sc.convert(VectorOperators.I2F, 0)).mul(d);
    }

    /**
     * Per group of 16 columns: the dot of each row's 6-bit quants with x, times the rows' group scales; the -32 of
     * every quant comes off at the end through the group sums of x. The four columns a qh byte serves (l, l + 32,
     * l + 64, l + 96 of a half) lie in four different groups, whose sums are four independent FMA chains. The group
     * scales of a block are converted first, in their own loop: in the main loop they pushed C2 past its inlining
     * budget, and a vector multiply left out of line is boxed.
     */
    @Override
    void dotGroup(int g, float[] x, int xOff, float[] sums, float[] out, int o) {
        float[] scales = RowScratch.get().floats(16 * R);
        long p = groupOffset(g);
        FloatVector acc = FloatVector.zero(F);
        FloatVector offset = acc;
        for (int b = 0, blocks = cols() / BLOCK; b < blocks; b++, p += BLOCK_BYTES) {
            FloatVector d = FloatVector.fromMemorySegment(F, data, p, LittleEndian.ORDER);
            for (int s = 0; s < 16; s++) {
                FloatVector scale = groupScale(p, d, s);
                scale.intoArray(scales, s * R);
                offset = scale.fma(FloatVector.broadcast(F, sums[16 * b + s]), offset);
            }
            for (int half = 0; half < 4; half++) {
                int h = half >> 1;
                int l0 = 16 * (half & 1);
                int xi = xOff + b * BLOCK + 128 * h + l0;
                long ql = p + QL + (long) (64 * h + l0) * R;
                long qh = p + QH + (long) (32 * h + l0) * R;
                FloatVector s0 = FloatVector.zero(F);
                FloatVector s1 = s0;
                FloatVector s2 = s0;
                FloatVector s3 = s0;
                for (int l = 0; l < 16; l++) {
                    IntVector a = Nibbles.widen(data, ql + (long) l * R);
                    IntVector c = Nibbles.widen(data, ql + (long) (l + 32) * R);
                    IntVector hb = Nibbles.widen(data, qh + (long) l * R);
                    IntVector q0 = a.and(0x0F).or(hb.lanewise(VectorOperators.LSHL, 4).and(0x30));
                    IntVector q1 = c.and(0x0F).or(hb.lanewise(VectorOperators.LSHL, 2).and(0x30));
                    IntVector q2 = a.lanewise(VectorOperators.LSHR, 4).or(hb.and(0x30));
                    IntVector q3 = c.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 2)
                            .and(0x30));
                    s0 = ((FloatVector) q0.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, x[xi + l]), s0);
                    s1 = ((FloatVector) q1.convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(F, x[xi + l + 32]), s1);
                    s2 = ((FloatVector) q2.convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(F, x[xi + l + 64]), s2);
                    s3 = ((FloatVector) q3.convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(F, x[xi + l + 96]), s3);
                }
                // groups 8h + l0 / 16 + 2k hold the columns l + 32k
                int at = (8 * h + (half & 1)) * R;
                acc = s0.fma(FloatVector.fromArray(F, scales, at), acc);
                acc = s1.fma(FloatVector.fromArray(F, scales, at + 2 * R), acc);
                acc = s2.fma(FloatVector.fromArray(F, scales, at + 4 * R), acc);
                acc = s3.fma(FloatVector.fromArray(F, scales, at + 6 * R), acc);
            }
        }
        acc.sub(offset.mul(32f)).intoArray(out, o);
    }

    @Override
    void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride) {
        long p = groupOffset(g) + (long) (c0 / BLOCK) * BLOCK_BYTES;
        for (int c = c0; c < c1; c += BLOCK, p += BLOCK_BYTES) {
            FloatVector d = FloatVector.fromMemorySegment(F, data, p, LittleEndian.ORDER);
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    IntVector a = Nibbles.widen(data, p + QL + (long) (64 * h + l) * R);
                    IntVector cc = Nibbles.widen(data, p + QL + (long) (64 * h + l + 32) * R);
                    IntVector hb = Nibbles.widen(data, p + QH + (long) (32 * h + l) * R);
                    int s = 8 * h + l / 16;
                    int o = dstOff + (c - c0 + 128 * h + l) * stride;
                    value(a.and(0x0F).or(hb.lanewise(VectorOperators.LSHL, 4).and(0x30)), groupScale(p, d, s))
                            .intoArray(dst, o);
                    value(cc.and(0x0F).or(hb.lanewise(VectorOperators.LSHL, 2).and(0x30)), groupScale(p, d, s + 2))
                            .intoArray(dst, o + 32 * stride);
                    value(a.lanewise(VectorOperators.LSHR, 4).or(hb.and(0x30)), groupScale(p, d, s + 4))
                            .intoArray(dst, o + 64 * stride);
                    value(cc.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 2).and(0x30)),
                            groupScale(p, d, s + 6)).intoArray(dst, o + 96 * stride);
                }
            }
        }
    }

    /** (q - 32) * scale, as the stored layout's dequantiser computes it. */
    private static FloatVector value(IntVector q, FloatVector scale) {
        return ((FloatVector) q.sub(32).convert(VectorOperators.I2F, 0)).mul(scale);
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        int i = r % R;
        long p = groupOffset(r / R) + (long) (c0 / BLOCK) * BLOCK_BYTES;
        for (int c = c0; c < c1; c += BLOCK, p += BLOCK_BYTES) {
            float d = data.get(LittleEndian.FLOAT, p + 4L * i);
            for (int col = 0; col < BLOCK; col++) {
                int h = col / 128;
                int l = col % 32;
                int k = col % 128 / 32;
                int ql = data.get(ValueLayout.JAVA_BYTE, p + QL + (long) (64 * h + l + 32 * (k & 1)) * R + i);
                int qh = data.get(ValueLayout.JAVA_BYTE, p + QH + (long) (32 * h + l) * R + i);
                int q = ((k < 2 ? ql : ql >>> 4) & 0x0F) | (qh >>> 2 * k & 3) << 4;
                byte sc = data.get(ValueLayout.JAVA_BYTE, p + SCALES + (long) (col / 16) * R + i);
                dst[dstOff + c - c0 + col] = (q - 32) * (d * sc);
            }
        }
    }
}
