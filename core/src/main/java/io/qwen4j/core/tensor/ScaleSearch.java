package io.qwen4j.core.tensor;

import static io.qwen4j.core.tensor.Quantizer.nearestInt;

/**
 * The scale searches of ggml's K-quant reference quantizers: for a group of values, the scale (and minimum) and the
 * integer levels that fit them best under ggml's weighted error. Every expression keeps ggml's float operations and
 * their order, since a different rounding anywhere can pick another level and change the bytes written.
 */
final class ScaleSearch {

    /** Groups whose largest magnitude is below this are all zero (ggml's GROUP_MAX_EPS). */
    static final float GROUP_MAX_EPS = 1e-15f;

    private ScaleSearch() {
    }

    /**
     * Symmetric levels in [0, 2 nmax) for x[xo .. xo + n), weighted by x^2 (ggml's make_qx_quants with rmse_type 1 and
     * no importance weights): starts from the grid through the signed largest value, tries 18 nearby grids, keeps the
     * one with the best least-squares fit. Writes L[lo ..] and returns the scale (value = scale * (L - nmax)).
     */
    static float symmetric(int n, int nmax, float[] x, int xo, int[] levels, int lo) {
        float max = signedMax(n, x, xo);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            java.util.Arrays.fill(levels, lo, lo + n, 0);
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
            levels[lo + i] = l + nmax;
            float w = v * v;
            sumlx += w * v * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
                float w = v * v;
                sumlx += w * v * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    levels[lo + i] = nmax + clamp(nearestInt(iscale * x[xo + i]), -nmax, nmax - 1);
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * Symmetric 3-bit levels (ggml's make_q3_quants with rmse): starts from the grid through the signed largest value,
     * then moves single levels while the x^2-weighted fit improves (at most 5 passes). Writes L in [0, 2 nmax) and
     * returns the scale.
     */
    static float symmetricRefined(int n, int nmax, float[] x, int xo, int[] levels, int lo) {
        float max = signedMax(n, x, xo);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            java.util.Arrays.fill(levels, lo, lo + n, 0);
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
            levels[lo + i] = l;
            float w = v * v;
            sumlx += w * v * l;
            suml2 += w * l * l;
        }
        for (int pass = 0; pass < 5; pass++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                float w = v * v;
                int old = levels[lo + i];
                float slx = sumlx - w * v * old;
                if (slx > 0) {
                    float sl2 = suml2 - w * old * old;
                    int l = clamp(nearestInt(v * sl2 / slx), -nmax, nmax - 1);
                    if (l != old) {
                        slx += w * v * l;
                        sl2 += w * l * l;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            levels[lo + i] = l;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            levels[lo + i] += nmax;
        }
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }

    /**
     * Levels in [0, nmax] with a scale and a non-positive offset (ggml's make_qkx2_quants): value = scale * L - min.
     * Starts from the min..max grid, then tries nstep + 1 grid widths (nmax + rmin + rdelta * is) and for each the
     * weighted least-squares scale and offset, keeping the lowest weighted error (absolute if mad, else squared).
     * Writes L[lo ..] and min[0] (&gt;= 0, the amount subtracted), returns the scale.
     */
    static float withMin(int n, int nmax, float[] x, int xo, float[] weights, int[] levels, int lo, float[] minOut,
                         int[] aux, float rmin, float rdelta, int nstep, boolean mad) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float v = x[xo + i];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * v;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            java.util.Arrays.fill(levels, lo, lo + n, 0);
            minOut[0] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = clamp(nearestInt(iscale * (x[xo + i] - min)), 0, nmax);
            levels[lo + i] = l;
            float diff = scale * l + min - x[xo + i];
            diff = mad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int l = clamp(nearestInt(iscale * (v - min)), 0, nmax);
                aux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * v;
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[xo + i];
                    diff = mad ? Math.abs(diff) : diff * diff;
                    error += weights[i] * diff;
                }
                if (error < bestError) {
                    System.arraycopy(aux, 0, levels, lo, n);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[0] = -min;
        return scale;
    }

    /** The value of largest magnitude with its sign (the first on ties); 0 when all are zero. */
    private static float signedMax(int n, float[] x, int xo) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        return max;
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
