package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.stream.IntStream;

/**
 * Q6_K: super-blocks of 256 values {@code {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d}}. Each half of 128
 * values uses 64 bytes of ql, 32 of qh and 8 scales: for l &lt; 32, value l + 32k (k = 0..3) takes its low 4 bits from
 * ql[l + 32 (k &amp; 1)] (low nibble for k &lt; 2, high nibble otherwise) and its top 2 bits from bits 2k..2k+1 of
 * qh[l]; it equals d * scales[l / 16 + 2k] * (q - 32).
 */
final class Q6_KMatrix extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;
    private static final int BLOCK = 256;
    private static final int BYTES = 210;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    Q6_KMatrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.Q6_K, rows, cols, data, base);
    }

    /**
     * Quants are unpacked a whole quarter row (32 bytes) at a time with SWAR int ops: shifting int lanes and masking
     * every byte does per-byte shifts, which x86 lacks. One chunk widens into PARTS float vectors (dequantize).
     */
    private static final VectorSpecies<Byte> QB = L >= 8 ? ByteVector.SPECIES_256 : ByteVector.SPECIES_128;
    private static final int QB_LEN = QB.length();
    private static final int PARTS = QB_LEN / L;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LittleEndian.ORDER);

    /*
     * The dot product works on K int lanes of 4 quant bytes each (K = 8, or 4 in the 128-bit build; 8 above 256 bits
     * too, as a quarter row holds 32 bytes). A chunk is 4K quants of one quarter: the 6-bit values are assembled on
     * the whole byte vector, then byte j of every int lane is taken out with one mask and converted, so lane i of
     * vector j holds value 4i + j of the chunk. The activations are permuted to that order once per call (see
     * permute), pre-scaled by 2^-8j so that byte j needs no shift (exact: powers of two), with -32 * (x_0 + x_1 + x_2
     * + x_3) stored after them: the accumulation starts from there instead of subtracting 32 from every quant.
     */
    private static final VectorSpecies<Float> P = L > 8 ? FloatVector.SPECIES_256 : F;
    private static final int K = P.length();
    private static final VectorSpecies<Integer> PI = VectorSpecies.of(int.class, P.vectorShape());
    /** Quants per chunk; chunks per 32-quant quarter (SLICES); floats of permuted activations per chunk. */
    private static final int CH = 4 * K;
    private static final int SLICES = 32 / CH;
    private static final int STRIDE = 5 * K;
    private static final VectorOperators.Conversion<Integer, Float> I2F = VectorOperators.I2F;
    /**
     * Scale lanes of quarter k: lane i holds values 4i..4i + 3 of a chunk, in group 2k + 4i / 16 of the half. With
     * K = 4 the second source vector holds scales 4..7 (the index wraps).
     */
    private static final VectorShuffle<Float> Q0 = VectorShuffle.fromOp(P, i -> (4 * i / 16) % K);
    private static final VectorShuffle<Float> Q1 = VectorShuffle.fromOp(P, i -> (2 + 4 * i / 16) % K);
    private static final VectorShuffle<Float> Q2 = VectorShuffle.fromOp(P, i -> (4 + 4 * i / 16) % K);
    private static final VectorShuffle<Float> Q3 = VectorShuffle.fromOp(P, i -> (6 + 4 * i / 16) % K);
    private static final int[] STRIDE_4 = IntStream.range(0, K).map(i -> 4 * i).toArray();
    private static final ThreadLocal<float[][]> PERMUTED = ThreadLocal.withInitial(() -> new float[1][0]);

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        float[] xp = permute(x, xOff, cols());
        for (int r = r0; r < r1; r++) {
            out[outOff + r] = dotRow(rowOffset(r), xp);
        }
    }

    /**
     * The activations in the kernel's order, in this thread's buffer: chunk 4s + k is quarter k of slice s (the
     * SLICES slices of a half, in order); lane i of its vector j is value 128 half + 32k + CH (s % SLICES) + 4i + j,
     * gathered with stride 4.
     */
    private static float[] permute(float[] x, int xOff, int cols) {
        float[][] holder = PERMUTED.get();
        if (holder[0].length < cols / CH * STRIDE) {
            holder[0] = new float[cols / CH * STRIDE];
        }
        float[] xp = holder[0];
        for (int p = 0, chunks = cols / CH; p < chunks; p++) {
            int s = p >> 2;
            int v = xOff + 128 * (s / SLICES) + 32 * (p & 3) + CH * (s % SLICES);
            int o = p * STRIDE;
            FloatVector x0 = FloatVector.fromArray(P, x, v, STRIDE_4, 0);
            FloatVector x1 = FloatVector.fromArray(P, x, v + 1, STRIDE_4, 0);
            FloatVector x2 = FloatVector.fromArray(P, x, v + 2, STRIDE_4, 0);
            FloatVector x3 = FloatVector.fromArray(P, x, v + 3, STRIDE_4, 0);
            x0.intoArray(xp, o);
            x1.mul(0x1p-8f).intoArray(xp, o + K);
            x2.mul(0x1p-16f).intoArray(xp, o + 2 * K);
            x3.mul(0x1p-24f).intoArray(xp, o + 3 * K);
            x0.add(x1).add(x2).add(x3).mul(-32f).intoArray(xp, o + 4 * K);
        }
        return xp;
    }

    /**
     * One row, one slice (4K bytes of each quarter of a half) per iteration, the four quarters written out. No helper
     * methods: C2 refuses to inline an ordinary method once the compilation has too many IR nodes
     * (NodeCountInliningCutoff), and a vector passed to a call is boxed, whereas Vector API methods are force-inlined.
     * The permuted activations are indexed from the loop variable alone so that their bounds checks leave the loop.
     */
    private float dotRow(long off, float[] xp) {
        FloatVector acc0 = FloatVector.zero(P);
        FloatVector acc1 = acc0;
        for (int s = 0, slices = cols() / CH / 4; s < slices; s++) {
            int o0 = 4 * s * STRIDE;
            int o1 = o0 + STRIDE;
            int o2 = o1 + STRIDE;
            int o3 = o2 + STRIDE;
            int h = s / SLICES & 1;
            int c = CH * (s % SLICES);
            long blk = off + (long) (s / SLICES >> 1) * BYTES;
            float d = Float.float16ToFloat(data.get(LittleEndian.SHORT, blk + D));
            // the scales from group c / 16 on; sb = scales 4..7 from there when K = 4
            long sc = blk + SCALES + 8 * h + c / 16;
            ByteVector scales = ByteVector.fromMemorySegment(ByteVector.SPECIES_64, data, sc, LittleEndian.ORDER);
            FloatVector sa = ((FloatVector) scales.convertShape(VectorOperators.B2F, P, 0)).mul(d);
            FloatVector sb = K == 8 ? sa : ((FloatVector) scales.convertShape(VectorOperators.B2F, P, 1)).mul(d);
            // quarter k: low 4 bits from ql (k & 1 picks the 32 bytes, k >> 1 the nibble), top 2 from bits 2k of qh,
            // moved to bits 4-5 of each byte
            IntVector qh = IntVector.fromMemorySegment(PI, data, blk + QH + 32 * h + c, LittleEndian.ORDER);
            IntVector qh4 = qh.lanewise(VectorOperators.LSHL, 4);
            IntVector ql0 = IntVector.fromMemorySegment(PI, data, blk + 64 * h + c, LittleEndian.ORDER);
            IntVector ql1 = IntVector.fromMemorySegment(PI, data, blk + 64 * h + 32 + c, LittleEndian.ORDER);
            IntVector q0 = ql0.and(0x0F0F0F0F).or(qh4.and(0x30303030));
            IntVector q1 = ql1.and(0x0F0F0F0F).or(qh4.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
            IntVector q2 = ql0.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(qh.and(0x30303030));
            IntVector q3 = ql1.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F)
                    .or(qh.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
            // chunk k: (q - 32) . x, from -32 * sum(x) on, then times the scales of its lanes
            FloatVector t0 = FloatVector.fromArray(P, xp, o0 + 4 * K);
            t0 = ((FloatVector) q0.and(0xFF).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o0), t0);
            t0 = ((FloatVector) q0.and(0xFF00).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o0 + K), t0);
            t0 = ((FloatVector) q0.and(0xFF0000).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o0 + 2 * K), t0);
            t0 = ((FloatVector) q0.and(0xFF000000).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o0 + 3 * K), t0);
            acc0 = t0.fma(sa.rearrange(Q0), acc0);
            FloatVector t1 = FloatVector.fromArray(P, xp, o1 + 4 * K);
            t1 = ((FloatVector) q1.and(0xFF).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o1), t1);
            t1 = ((FloatVector) q1.and(0xFF00).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o1 + K), t1);
            t1 = ((FloatVector) q1.and(0xFF0000).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o1 + 2 * K), t1);
            t1 = ((FloatVector) q1.and(0xFF000000).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o1 + 3 * K), t1);
            acc1 = t1.fma(sa.rearrange(Q1), acc1);
            FloatVector t2 = FloatVector.fromArray(P, xp, o2 + 4 * K);
            t2 = ((FloatVector) q2.and(0xFF).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o2), t2);
            t2 = ((FloatVector) q2.and(0xFF00).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o2 + K), t2);
            t2 = ((FloatVector) q2.and(0xFF0000).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o2 + 2 * K), t2);
            t2 = ((FloatVector) q2.and(0xFF000000).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o2 + 3 * K), t2);
            acc0 = t2.fma(sb.rearrange(Q2), acc0);
            FloatVector t3 = FloatVector.fromArray(P, xp, o3 + 4 * K);
            t3 = ((FloatVector) q3.and(0xFF).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o3), t3);
            t3 = ((FloatVector) q3.and(0xFF00).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o3 + K), t3);
            t3 = ((FloatVector) q3.and(0xFF0000).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o3 + 2 * K), t3);
            t3 = ((FloatVector) q3.and(0xFF000000).convert(I2F, 0)).fma(FloatVector.fromArray(P, xp, o3 + 3 * K), t3);
            acc1 = t3.fma(sb.rearrange(Q3), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * QB_LEN quants (minus 32) of quarter k: low 4 bits from ql (low nibble for k &lt; 2, high nibble otherwise),
     * top 2 bits from bits 2k..2k+1 of qh.
     */
    private static ByteVector quant(MemorySegment data, long ql, long qh, int k) {
        IntVector low = ByteVector.fromMemorySegment(QB, data, ql, LittleEndian.ORDER).reinterpretAsInts()
                .lanewise(VectorOperators.LSHR, 4 * (k >> 1)).and(0x0F0F0F0F);
        IntVector high = ByteVector.fromMemorySegment(QB, data, qh, LittleEndian.ORDER).reinterpretAsInts()
                .lanewise(VectorOperators.LSHR, 2 * k).and(0x03030303).lanewise(VectorOperators.LSHL, 4);
        return low.or(high).reinterpretAsBytes().sub((byte) 32);
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
                long qh = off + QH + 32L * h;
                long scales = data.get(LONG, off + SCALES + 8L * h);
                for (int k = 0; k < 4; k++) {
                    long ql = off + 64L * h + 32L * (k & 1);
                    int o = dstOff + c - c0 + 128 * h + 32 * k;
                    for (int j = 0; j < 32; j += QB_LEN) {
                        ByteVector q = quant(data, ql + j, qh + j, k);
                        for (int p = 0; p < PARTS; p++) {
                            int l = j + p * L;
                            toFloat(q, p).mul(d * (byte) (scales >>> 8 * (2 * k + l / 16))).intoArray(dst, o + l);
                        }
                    }
                }
            }
        }
    }
}
