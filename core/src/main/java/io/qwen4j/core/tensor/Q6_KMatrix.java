package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K: super-blocks of 256 values {@code {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d}}. Each half of 128
 * values uses 64 bytes of ql, 32 of qh and 8 scales: for l &lt; 32, value l + 32k (k = 0..3) takes its low 4 bits from
 * ql[l + 32 (k &amp; 1)] (low nibble for k &lt; 2, high nibble otherwise) and its top 2 bits from bits 2k..2k+1 of
 * qh[l]; it equals d * scales[l / 16 + 2k] * (q - 32).
 */
final class Q6_KMatrix extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;
    private static final int BL = Simd.BL;
    private static final int BLOCK = 256;
    private static final int BYTES = 210;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    Q6_KMatrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.Q6_K, rows, cols, data, base);
    }

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        int blocks = cols() / BLOCK;
        for (int r = r0; r < r1; r++) {
            long off = rowOffset(r);
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                acc = block(off + (long) b * BYTES, x, xOff + b * BLOCK, acc);
            }
            out[outOff + r] = acc.reduceLanes(VectorOperators.ADD);
        }
    }

    private FloatVector block(long off, float[] x, int xi, FloatVector acc) {
        float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off + D));
        // two partial sums per half break the FMA dependency chain
        FloatVector accB = FloatVector.zero(F);
        for (int h = 0; h < 2; h++) {
            long ql = off + 64L * h;
            long qh = off + QH + 32L * h;
            long sc = off + SCALES + 8L * h;
            int xh = xi + 128 * h;
            for (int l = 0; l < 32; l += BL) {
                ByteVector a = ByteVector.fromMemorySegment(Simd.B, data, ql + l, LittleEndian.ORDER);
                ByteVector b = ByteVector.fromMemorySegment(Simd.B, data, ql + 32 + l, LittleEndian.ORDER);
                ByteVector hb = ByteVector.fromMemorySegment(Simd.B, data, qh + l, LittleEndian.ORDER);
                ByteVector q0 = quant(a.and((byte) 0x0F), hb.lanewise(VectorOperators.LSHL, 4));
                ByteVector q1 = quant(b.and((byte) 0x0F), hb.lanewise(VectorOperators.LSHL, 2));
                ByteVector q2 = quant(a.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F), hb);
                ByteVector q3 = quant(b.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F),
                        hb.lanewise(VectorOperators.LSHR, 2));
                int is = l / 16;
                FloatVector s0 = FloatVector.broadcast(F, d * data.get(LittleEndian.BYTE, sc + is));
                FloatVector s1 = FloatVector.broadcast(F, d * data.get(LittleEndian.BYTE, sc + is + 2));
                FloatVector s2 = FloatVector.broadcast(F, d * data.get(LittleEndian.BYTE, sc + is + 4));
                FloatVector s3 = FloatVector.broadcast(F, d * data.get(LittleEndian.BYTE, sc + is + 6));
                for (int p = 0; p < Simd.BPARTS; p++) {
                    int e = xh + l + p * L;
                    acc = toFloat(q0, p).mul(FloatVector.fromArray(F, x, e)).fma(s0, acc);
                    accB = toFloat(q1, p).mul(FloatVector.fromArray(F, x, e + 32)).fma(s1, accB);
                    acc = toFloat(q2, p).mul(FloatVector.fromArray(F, x, e + 64)).fma(s2, acc);
                    accB = toFloat(q3, p).mul(FloatVector.fromArray(F, x, e + 96)).fma(s3, accB);
                }
            }
        }
        return acc.add(accB);
    }

    /** (low | (bits 4..5 of highShifted)) - 32: the high 2 bits arrive already shifted to bit positions 4..5. */
    private static ByteVector quant(ByteVector low, ByteVector highShifted) {
        return low.or(highShifted.and((byte) 0x30)).sub((byte) 32);
    }

    private static FloatVector toFloat(ByteVector q, int part) {
        return (FloatVector) q.convertShape(VectorOperators.B2F, F, part);
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        long off = rowOffset(r) + (long) (c0 / BLOCK) * BYTES;
        for (int c = c0; c < c1; c += BLOCK, off += BYTES) {
            float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, off + D));
            for (int h = 0; h < 2; h++) {
                long ql = off + 64L * h;
                long qh = off + QH + 32L * h;
                long sc = off + SCALES + 8L * h;
                int oh = dstOff + c - c0 + 128 * h;
                for (int l = 0; l < 32; l += BL) {
                    ByteVector a = ByteVector.fromMemorySegment(Simd.B, data, ql + l, LittleEndian.ORDER);
                    ByteVector b = ByteVector.fromMemorySegment(Simd.B, data, ql + 32 + l, LittleEndian.ORDER);
                    ByteVector hb = ByteVector.fromMemorySegment(Simd.B, data, qh + l, LittleEndian.ORDER);
                    ByteVector q0 = quant(a.and((byte) 0x0F), hb.lanewise(VectorOperators.LSHL, 4));
                    ByteVector q1 = quant(b.and((byte) 0x0F), hb.lanewise(VectorOperators.LSHL, 2));
                    ByteVector q2 = quant(a.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F), hb);
                    ByteVector q3 = quant(b.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F),
                            hb.lanewise(VectorOperators.LSHR, 2));
                    int is = l / 16;
                    float s0 = d * data.get(LittleEndian.BYTE, sc + is);
                    float s1 = d * data.get(LittleEndian.BYTE, sc + is + 2);
                    float s2 = d * data.get(LittleEndian.BYTE, sc + is + 4);
                    float s3 = d * data.get(LittleEndian.BYTE, sc + is + 6);
                    for (int p = 0; p < Simd.BPARTS; p++) {
                        int o = oh + l + p * L;
                        toFloat(q0, p).mul(s0).intoArray(dst, o);
                        toFloat(q1, p).mul(s1).intoArray(dst, o + 32);
                        toFloat(q2, p).mul(s2).intoArray(dst, o + 64);
                        toFloat(q3, p).mul(s3).intoArray(dst, o + 96);
                    }
                }
            }
        }
    }
}
