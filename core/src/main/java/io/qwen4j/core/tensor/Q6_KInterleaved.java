package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q6_K ({@link Q6_KMatrix}) with its rows interleaved ({@link InterleavedMatrix}) and multiplied in 16-bit integers,
 * as {@link Q4_KInterleaved} is. Each quant is stored unpacked as the signed byte q - 32: a product with an 8-bit
 * activation then fits 16 bits with room for eight of them (32 * 127 * 8 &lt; 2^15), and needs no unpacking of the
 * 6-bit layout in the loop. That takes 8 bits per weight where Q6_K takes 6.56, which the kernel's fewer instructions
 * more than pay for while decode is bound by instructions rather than memory.
 * <p>
 * A group of 2L rows holds first, per super-block, the rows' d as floats and their sixteen int8 group scales (one
 * int per row for groups 0-3, then 4-7, 8-11, 12-15); after all super-blocks come the quants in steps of four
 * columns ({@link Int16Interleaved#quantByte}), 64 steps per super-block.
 */
final class Q6_KInterleaved extends Int16Interleaved {

    private static final int BLOCK = K_BLOCK;
    private static final int SRC_BYTES = 210;
    private static final int SRC_QH = 128;
    private static final int SRC_SCALES = 192;
    private static final int SRC_D = 208;
    /** Per super-block: d (floats), then the group scales (four ints per row). */
    private static final long GROUP_SCALES = 4L * R;
    private static final long META_BYTES = 20L * R;

    private final int blocks;
    private final long quants;

    Q6_KInterleaved(String name, int rows, int cols, MemorySegment packed, long base) {
        super(name, GGMLType.Q6_K, rows, cols, packed, base, groupBytes(cols));
        this.blocks = cols / BLOCK;
        this.quants = blocks * META_BYTES;
    }

    static long groupBytes(int cols) {
        return cols / BLOCK * (META_BYTES + 64 * STEP);
    }

    /** The interleaved form of {@code experts} stacked {@code [rows][cols]} Q6_K matrices at src. */
    static MemorySegment repack(MemorySegment src, int experts, int rows, int cols) {
        int blocks = cols / BLOCK;
        int quants = blocks * (int) META_BYTES;
        int rowBytes = blocks * SRC_BYTES;
        return repack(src, experts, rows, rowBytes, R, groupBytes(cols), (in, out) -> {
            for (int i = 0; i < R; i++) {
                for (int blk = 0, s = i * rowBytes; blk < blocks; blk++, s += SRC_BYTES) {
                    int meta = blk * (int) META_BYTES + 4 * i;
                    LittleEndian.putFloat(out, meta, Float.float16ToFloat(LittleEndian.getShort(in, s + SRC_D)));
                    for (int k = 0; k < 4; k++) {
                        LittleEndian.putInt(out, meta + (int) GROUP_SCALES + 4 * R * k,
                                LittleEndian.getInt(in, s + SRC_SCALES + 4 * k));
                    }
                    // column 128h + 32k + l: low bits from ql[64h + 32 (k & 1) + l] (high nibble for k >= 2),
                    // high bits 2k, 2k + 1 of qh[32h + l]
                    for (int h = 0; h < 2; h++) {
                        for (int k = 0; k < 4; k++) {
                            int ql = s + 64 * h + 32 * (k & 1);
                            int qh = s + SRC_QH + 32 * h;
                            int nibble = 4 * (k >> 1);
                            for (int l = 0; l < 32; l++) {
                                int q = (in[ql + l] >> nibble & 0x0F) | (in[qh + l] >> 2 * k & 3) << 4;
                                int c = BLOCK * blk + 128 * h + 32 * k + l;
                                out[quants + quantByte(i, c)] = (byte) (q - 32);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * The group scales times d and the block's scale of x first, then the step loop ({@link #signedByteWords},
     * eight products per group of 16 columns in each 16-bit sum): methods of their own, so that each compilation
     * stays within C2's inlining budget (past it, vector calls are boxed).
     */
    @Override
    void dotGroup(int g, Input in, float[] out, int o) {
        float[] partial = partial();
        float[] scales = scales(16 * blocks * R);
        java.util.Arrays.fill(partial, 0f);
        long p = groupOffset(g);
        groupScales(p, in.blocks(), scales);
        signedByteWords(p + quants, 64 * blocks, 2, in.pairs(), scales, partial);
        System.arraycopy(partial, 0, out, o, R);
    }

    /** {@code scales[(16b + s) * R ..]} = d * sc * dx of group s of super-block b for the 2L rows of group p. */
    private void groupScales(long p, float[] aux, float[] scales) {
        for (int b = 0; b < blocks; b++) {
            long meta = p + b * META_BYTES;
            FloatVector dx = FloatVector.broadcast(F, aux[9 * b]); // the Q8_K scale of x (prepareInput)
            FloatVector d0 = FloatVector.fromMemorySegment(F, data, meta, LittleEndian.ORDER).mul(dx);
            FloatVector d1 = FloatVector.fromMemorySegment(F, data, meta + 4L * L, LittleEndian.ORDER).mul(dx);
            for (int s = 0; s < 16; s++) {
                long sc = meta + GROUP_SCALES + (s >> 2) * 4L * R;
                int at = (16 * b + s) * R;
                signedByte(IntVector.fromMemorySegment(I, data, sc, LittleEndian.ORDER), s & 3).mul(d0)
                        .intoArray(scales, at);
                signedByte(IntVector.fromMemorySegment(I, data, sc + 4L * L, LittleEndian.ORDER), s & 3).mul(d1)
                        .intoArray(scales, at + L);
            }
        }
    }

    /** Per step and half, read as L ints ({@link Int16Interleaved#signedByte}). */
    @Override
    void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride) {
        long p = groupOffset(g);
        for (int b = c0 / BLOCK; b < c1 / BLOCK; b++) {
            long meta = p + b * META_BYTES;
            for (int h = 0; h < 2; h++) {
                long half = 4L * L * h;
                FloatVector d = FloatVector.fromMemorySegment(F, data, meta + half, LittleEndian.ORDER);
                for (int s = 0; s < 16; s++) {
                    IntVector sc = IntVector.fromMemorySegment(I, data,
                            meta + GROUP_SCALES + (s >> 2) * 4L * R + half,
                            LittleEndian.ORDER);
                    // as Q6_KMatrix: (q - 32) * (d * sc)
                    FloatVector scale = d.mul(signedByte(sc, s & 3));
                    for (int k = 0; k < 4; k++) {
                        int t = 4 * s + k;
                        IntVector v = IntVector.fromMemorySegment(I, data,
                                p + quants + (64L * b + t) * STEP + VECTOR_BYTES * h, LittleEndian.ORDER);
                        int col = dstOff + (BLOCK * b - c0 + 4 * t) * stride + L * h;
                        for (int n = 0; n < 4; n++) {
                            signedByte(v, n).mul(scale).intoArray(dst, col + byteColumn(n) * stride);
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
            int o = dstOff + BLOCK * b - c0;
            for (int c = 0; c < BLOCK; c++) {
                byte sc = data.get(ValueLayout.JAVA_BYTE,
                        meta + GROUP_SCALES + (c >> 6) * 4L * R + (c >> 4 & 3));
                byte q = data.get(ValueLayout.JAVA_BYTE, p + quants + quantByte(i, BLOCK * b + c));
                dst[o + c] = q * (d * sc);
            }
        }
    }
}
