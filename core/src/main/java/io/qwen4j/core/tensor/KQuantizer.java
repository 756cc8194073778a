package io.qwen4j.core.tensor;

import java.lang.foreign.MemorySegment;

import static io.qwen4j.core.tensor.Quantizer.nearestInt;
import static io.qwen4j.core.tensor.Quantizer.putByte;
import static io.qwen4j.core.tensor.Quantizer.putHalf;
import static io.qwen4j.core.tensor.ScaleSearch.clamp;

/**
 * The K-quants (super-blocks of 256 values) as ggml's {@code quantize_row_q[2-6]_K_ref} writes them: a scale search
 * per sub-block ({@link ScaleSearch}), the sub-block scales themselves quantised against one F16 super-scale, then
 * every value re-rounded with the scale as stored. Arguments are checked by {@link Quantizer}.
 */
final class KQuantizer {

    private static final int QK = 256;

    /** Scratch for one super-block: levels, search buffers and sub-block scales. */
    private static final class Scratch {
        final int[] levels = new int[QK];
        final int[] aux = new int[32];
        final float[] weights = new float[32];
        final float[] scales = new float[16];
        final float[] mins = new float[16];
        final float[] min = new float[1];
    }

    private KQuantizer() {
    }

    static void quantize(GGMLType type, float[] x, int xOff, int n, MemorySegment dst, long dstOff) {
        Scratch s = new Scratch();
        for (int b = 0; b < n / QK; b++) {
            int xi = xOff + b * QK;
            long o = dstOff + (long) b * type.typeSize;
            switch (type) {
                case Q2_K -> q2K(x, xi, dst, o, s);
                case Q3_K -> q3K(x, xi, dst, o, s);
                case Q4_K -> q45K(x, xi, dst, o, s, false);
                case Q5_K -> q45K(x, xi, dst, o, s, true);
                case Q6_K -> q6K(x, xi, dst, o, s);
                default -> throw new IllegalArgumentException("not a K-quant: " + type);
            }
        }
    }

    /** F16 round trip: the re-rounding uses the super-scale as stored. */
    private static float half(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    /**
     * {uint8 scales[16]; uint8 qs[64]; f16 d; f16 dmin}: 16 groups of 16 with 2-bit levels, each group a 4-bit scale
     * (low nibble) and 4-bit min (high nibble) of d and dmin.
     */
    private static void q2K(float[] x, int xi, MemorySegment dst, long o, Scratch s) {
        int[] levels = s.levels;
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 16; j++) {
            for (int l = 0; l < 16; l++) {
                s.weights[l] = Math.abs(x[xi + 16 * j + l]);
            }
            s.scales[j] = ScaleSearch.withMin(16, 3, x, xi + 16 * j, s.weights, levels, 16 * j, s.min, s.aux,
                    -0.5f, 0.1f, 15, true);
            s.mins[j] = s.min[0];
            if (s.scales[j] > maxScale) {
                maxScale = s.scales[j];
            }
            if (s.mins[j] > maxMin) {
                maxMin = s.mins[j];
            }
        }
        int[] packed = new int[16];
        float d = 0;
        if (maxScale > 0) {
            float iscale = 15f / maxScale;
            for (int j = 0; j < 16; j++) {
                packed[j] = nearestInt(iscale * s.scales[j]) & 0xFF;
            }
            d = maxScale / 15f;
        }
        float dmin = 0;
        if (maxMin > 0) {
            float iscale = 15f / maxMin;
            for (int j = 0; j < 16; j++) {
                packed[j] = (packed[j] | nearestInt(iscale * s.mins[j]) << 4) & 0xFF;
            }
            dmin = maxMin / 15f;
        }
        putHalf(dst, o + 80, d);
        putHalf(dst, o + 82, dmin);
        float dStored = half(d);
        float minStored = half(dmin);
        for (int j = 0; j < 16; j++) {
            putByte(dst, o + j, packed[j]);
            float dl = dStored * (packed[j] & 0xF);
            if (dl == 0) {
                continue;
            }
            float ml = minStored * (packed[j] >> 4);
            for (int i = 0; i < 16; i++) {
                levels[16 * j + i] = clamp(nearestInt((x[xi + 16 * j + i] + ml) / dl), 0, 3);
            }
        }
        packTwoBit(levels, dst, o + 16);
    }

    /**
     * {uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; f16 d}: 16 groups of 16 with 3-bit levels (low 2 bits in qs,
     * the third in hmask), each group a signed 6-bit scale of d.
     */
    private static void q3K(float[] x, int xi, MemorySegment dst, long o, Scratch s) {
        int[] levels = s.levels;
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < 16; j++) {
            s.scales[j] = ScaleSearch.symmetricRefined(16, 4, x, xi + 16 * j, levels, 16 * j);
            float scale = Math.abs(s.scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = s.scales[j];
            }
        }
        int[] scales = new int[12];
        float d = 0;
        if (maxScale != 0) {
            float iscale = -32f / maxScale;
            for (int j = 0; j < 16; j++) {
                int l = clamp((byte) nearestInt(iscale * s.scales[j]), -32, 31) + 32;
                if (j < 8) {
                    scales[j] = l & 0xF;
                } else {
                    scales[j - 8] |= (l & 0xF) << 4;
                }
                scales[j % 4 + 8] |= (l >> 4) << (2 * (j / 4));
            }
            d = 1 / iscale;
        }
        putHalf(dst, o + 108, d);
        float dStored = half(d);
        for (int j = 0; j < 16; j++) {
            int low = j < 8 ? scales[j] & 0xF : scales[j - 8] >> 4;
            int sc = (low | ((scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4) - 32;
            float dl = dStored * sc;
            if (dl == 0) {
                continue;
            }
            for (int i = 0; i < 16; i++) {
                levels[16 * j + i] = clamp(nearestInt(x[xi + 16 * j + i] / dl), -4, 3) + 4;
            }
        }
        for (int j = 0; j < 12; j++) {
            putByte(dst, o + 96 + j, scales[j]);
        }
        // the third bit of value j goes to bit j / 32 of hmask[j % 32]
        int[] hmask = new int[32];
        for (int j = 0; j < QK; j++) {
            if (levels[j] > 3) {
                hmask[j % 32] |= 1 << (j / 32);
                levels[j] -= 4;
            }
        }
        for (int j = 0; j < 32; j++) {
            putByte(dst, o + j, hmask[j]);
        }
        packTwoBit(levels, dst, o + 32);
    }

    /** Per 128 values, 32 bytes: value l + 32k of the half in bits 2k..2k+1 of byte l. */
    private static void packTwoBit(int[] levels, MemorySegment dst, long qs) {
        for (int j = 0; j < QK; j += 128) {
            for (int l = 0; l < 32; l++) {
                putByte(dst, qs + j / 4 + l, levels[j + l] | levels[j + l + 32] << 2 | levels[j + l + 64] << 4
                        | levels[j + l + 96] << 6);
            }
        }
    }

    /**
     * Q4_K {f16 d; f16 dmin; uint8 scales[12]; uint8 qs[128]} and Q5_K {..., uint8 qh[32], uint8 qs[128]}: 8 groups of
     * 32 with 4- (5-) bit levels, each group a 6-bit scale of d and 6-bit min of dmin packed into 12 bytes.
     */
    private static void q45K(float[] x, int xi, MemorySegment dst, long o, Scratch s, boolean five) {
        int nmax = five ? 31 : 15;
        int[] levels = s.levels;
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) {
                sumX2 += x[xi + 32 * j + l] * x[xi + 32 * j + l];
            }
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) {
                s.weights[l] = avX + Math.abs(x[xi + 32 * j + l]);
            }
            s.scales[j] = five
                    ? ScaleSearch.withMin(32, 31, x, xi + 32 * j, s.weights, levels, 32 * j, s.min, s.aux,
                            -0.5f, 0.1f, 15, false)
                    : ScaleSearch.withMin(32, 15, x, xi + 32 * j, s.weights, levels, 32 * j, s.min, s.aux,
                            -1f, 0.1f, 20, false);
            s.mins[j] = s.min[0];
            if (s.scales[j] > maxScale) {
                maxScale = s.scales[j];
            }
            if (s.mins[j] > maxMin) {
                maxMin = s.mins[j];
            }
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        int[] scales = new int[12];
        for (int j = 0; j < 8; j++) {
            int ls = Math.min(63, nearestInt(invScale * s.scales[j]) & 0xFF);
            int lm = Math.min(63, nearestInt(invMin * s.mins[j]) & 0xFF);
            if (j < 4) {
                scales[j] = ls;
                scales[j + 4] = lm;
            } else {
                scales[j + 4] = (ls & 0xF) | (lm & 0xF) << 4;
                scales[j - 4] |= (ls >> 4) << 6;
                scales[j] |= (lm >> 4) << 6;
            }
        }
        float d = maxScale / 63f;
        float dmin = maxMin / 63f;
        putHalf(dst, o, d);
        putHalf(dst, o + 2, dmin);
        for (int j = 0; j < 12; j++) {
            putByte(dst, o + 4 + j, scales[j]);
        }
        float dStored = half(d);
        float minStored = half(dmin);
        for (int j = 0; j < 8; j++) {
            int sc = j < 4 ? scales[j] & 63 : (scales[j + 4] & 0xF) | (scales[j - 4] >> 6) << 4;
            int m = j < 4 ? scales[j + 4] & 63 : (scales[j + 4] >> 4) | (scales[j] >> 6) << 4;
            float dl = dStored * sc;
            if (dl == 0) {
                continue;
            }
            float dm = minStored * m;
            for (int i = 0; i < 32; i++) {
                levels[32 * j + i] = clamp(nearestInt((x[xi + 32 * j + i] + dm) / dl), 0, nmax);
            }
        }
        // per 64 values, 32 bytes of qs: the first 32 in the low nibbles, the next 32 in the high ones; Q5_K's
        // fifth bits: value l of group g in bit g of qh[l]
        long qs = o + (five ? 48 : 16);
        int[] qh = new int[32];
        for (int n = 0; n < QK; n += 64) {
            for (int l = 0; l < 32; l++) {
                int l1 = levels[n + l];
                int l2 = levels[n + l + 32];
                if (five) {
                    qh[l] |= (l1 >> 4) << (n / 32) | (l2 >> 4) << (n / 32 + 1);
                }
                putByte(dst, qs + n / 2 + l, (l1 & 0xF) | (l2 & 0xF) << 4);
            }
        }
        if (five) {
            for (int l = 0; l < 32; l++) {
                putByte(dst, o + 16 + l, qh[l]);
            }
        }
    }

    /**
     * {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d}: 16 groups of 16 with signed 6-bit levels, each group a
     * signed 8-bit scale of d.
     */
    private static void q6K(float[] x, int xi, MemorySegment dst, long o, Scratch s) {
        int[] levels = s.levels;
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int j = 0; j < 16; j++) {
            float scale = ScaleSearch.symmetric(16, 32, x, xi + 16 * j, levels, 16 * j);
            s.scales[j] = scale;
            if (Math.abs(scale) > maxAbsScale) {
                maxAbsScale = Math.abs(scale);
                maxScale = scale;
            }
        }
        if (maxAbsScale < ScaleSearch.GROUP_MAX_EPS) {
            dst.asSlice(o, GGMLType.Q6_K.typeSize).fill((byte) 0);
            return;
        }
        float iscale = -128f / maxScale;
        float d = 1 / iscale;
        putHalf(dst, o + 208, d);
        float dStored = half(d);
        for (int j = 0; j < 16; j++) {
            int sc = (byte) Math.min(127, nearestInt(iscale * s.scales[j]));
            putByte(dst, o + 192 + j, sc);
            float dl = dStored * sc;
            if (dl == 0) {
                continue;
            }
            for (int i = 0; i < 16; i++) {
                levels[16 * j + i] = clamp(nearestInt(x[xi + 16 * j + i] / dl), -32, 31) + 32;
            }
        }
        // per 128 values: ql[l] holds values l (low nibble) and l + 64 (high), ql[l + 32] values l + 32 and l + 96;
        // qh[l] their top two bits, in that order from bit 0
        for (int j = 0; j < QK; j += 128) {
            long ql = o + j / 2;
            long qh = o + 128 + j / 4;
            for (int l = 0; l < 32; l++) {
                int q1 = levels[j + l];
                int q2 = levels[j + l + 32];
                int q3 = levels[j + l + 64];
                int q4 = levels[j + l + 96];
                putByte(dst, ql + l, (q1 & 0xF) | (q3 & 0xF) << 4);
                putByte(dst, ql + l + 32, (q2 & 0xF) | (q4 & 0xF) << 4);
                putByte(dst, qh + l, q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
            }
        }
    }
}
