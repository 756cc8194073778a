package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q6_K ({@link Q6_KMatrix}) with its rows interleaved ({@link InterleavedMatrix}) and multiplied in 16-bit integers,
 * as {@link Q4_KInterleaved} is. Each 6-bit quant is stored unpacked as a byte, and a lane's 16-bit sum of q * x
 * is corrected once per group for the 32 taken off every quant ({@link Int16Interleaved#putBiases}): the corrected
 * sum of eight products fits 16 bits (32 * 127 * 8 &lt; 2^15), and no unpacking of the 6-bit layout is needed in the
 * loop. That takes 8 bits per weight where Q6_K takes 6.56, which the kernel's fewer instructions more than pay for
 * while decode is bound by instructions rather than memory.
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
                                out[quants + quantByte(i, c)] = (byte) q;
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * One pass per super-block over its 64 steps: each half has a 16-bit sum per lane (eight products per group of
     * 16 columns); at a group's last step the group's bias is added, a row's even and odd lanes are added in 32 bits and
     * weighted by the group's int8 scale in 32-bit integers (|sum| &lt;= 16 * 32 * 127 and |sc| &lt;= 128, sixteen groups:
     * below 2^31); the super-block's sum is converted once and scaled by d times the scale of x. Computing the float
     * group scales in a pass of their own cost about 15% of this kernel.
     */
    @Override
    void prepareInput(float[] x, int xOff, Input in) {
        super.prepareInput(x, xOff, in);
        putBiases(in.pairs(), cols(), 16, 32, in.biases(cols() / 16));
    }

    @Override
    void dotGroup(int g, Input in, float[] out, int o) {
        int[] pairs = in.pairs();
        int[] biases = in.biases();
        float[] aux = in.blocks();
        long p = groupOffset(g);
        MemorySegment quantData = data; // a local: the field was reloaded and its class checked in every step
        FloatVector first = FloatVector.zero(F);
        FloatVector second = first;
        for (int b = 0; b < blocks; b++) {
            long meta = p + b * META_BYTES;
            long w = p + quants + b * 64 * STEP;
            int x0 = 64 * 2 * b;
            IntVector sum0 = IntVector.zero(I);
            IntVector sum1 = sum0;
            ShortVector a0 = ShortVector.zero(S);
            ShortVector a1 = a0;
            for (int t = 0; t < 64; t++) {
                long at = w + t * STEP;
                IntVector v0 = IntVector.fromMemorySegment(I, quantData, at, LittleEndian.ORDER);
                IntVector v1 = IntVector.fromMemorySegment(I, quantData, at + VECTOR_BYTES, LittleEndian.ORDER);
                ShortVector x = IntVector.broadcast(I, pairs[x0 + 2 * t]).reinterpretAsShorts();
                a0 = v0.and(LOW_BYTES).reinterpretAsShorts().mul(x).add(a0);
                a1 = v1.and(LOW_BYTES).reinterpretAsShorts().mul(x).add(a1);
                x = IntVector.broadcast(I, pairs[x0 + 2 * t + 1]).reinterpretAsShorts();
                a0 = v0.lanewise(VectorOperators.LSHR, 8).and(LOW_BYTES).reinterpretAsShorts().mul(x).add(a0);
                a1 = v1.lanewise(VectorOperators.LSHR, 8).and(LOW_BYTES).reinterpretAsShorts().mul(x).add(a1);
                if ((t & 3) == 3) {
                    int s = t >>> 2;
                    long sc = meta + GROUP_SCALES + (s >> 2) * 4L * R;
                    int up = 24 - 8 * (s & 3);
                    ShortVector bias = IntVector.broadcast(I, biases[16 * b + s]).reinterpretAsShorts();
                    IntVector l0 = a0.add(bias).reinterpretAsInts();
                    IntVector l1 = a1.add(bias).reinterpretAsInts();
                    IntVector r0 = l0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(l0.lanewise(VectorOperators.ASHR, 16));
                    IntVector r1 = l1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(l1.lanewise(VectorOperators.ASHR, 16));
                    sum0 = r0.mul(IntVector.fromMemorySegment(I, quantData, sc, LittleEndian.ORDER)
                            .lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24)).add(sum0);
                    sum1 = r1.mul(IntVector.fromMemorySegment(I, quantData, sc + 4L * L, LittleEndian.ORDER)
                            .lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24)).add(sum1);
                    a0 = ShortVector.zero(S);
                    a1 = a0;
                }
            }
            float dx = aux[9 * b]; // the Q8_K scale of x (prepareInput)
            first = ((FloatVector) sum0.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromMemorySegment(F, quantData, meta, LittleEndian.ORDER).mul(dx), first);
            second = ((FloatVector) sum1.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromMemorySegment(F, quantData, meta + 4L * L, LittleEndian.ORDER).mul(dx),
                            second);
        }
        first.intoArray(out, o);
        second.intoArray(out, o + L);
    }

    /** Per step and half, read as L ints ({@link Int16Interleaved#byteColumn}). */
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
                            bytes(v, n).sub(32f).mul(scale).intoArray(dst, col + byteColumn(n) * stride);
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
                int q = data.get(ValueLayout.JAVA_BYTE, p + quants + quantByte(i, BLOCK * b + c));
                dst[o + c] = (q - 32) * (d * sc);
            }
        }
    }
}
