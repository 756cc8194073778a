package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The prefill path shared by every weight type: a panel of rows is dequantised once into a thread-local float
 * buffer (L2-sized), then multiplied against the tokens four at a time with a 4-row x 4-token register tile, so the
 * weights are read from memory once per call and each vector load feeds four FMAs.
 */
final class Gemm {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;

    /** Columns per panel: a multiple of every block size (256 for K-quants). */
    static final int KC = 512;
    /** Panel capacity in floats (256 KiB), so that a panel stays in L2 while the token tiles stream over it. */
    static final int PANEL_FLOATS = 64 * 1024;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private static final class Buffers {
        final float[] panel = new float[PANEL_FLOATS];
        final float[] tile = new float[16];
    }

    private Gemm() {
    }

    static void matmul(Matrix w, float[] x, int xStride, int n, float[] out, int outStride, int r0, int r1) {
        int cols = w.cols();
        Buffers buffers = BUFFERS.get();
        float[] panel = buffers.panel;
        float[] tile = buffers.tile;
        int kc = Math.min(KC, cols);
        int panelRows = Math.max(4, PANEL_FLOATS / kc & ~3);
        for (int rp = r0; rp < r1; rp += panelRows) {
            int pr = Math.min(panelRows, r1 - rp);
            for (int k0 = 0; k0 < cols; k0 += KC) {
                int kn = Math.min(KC, cols - k0);
                for (int i = 0; i < pr; i++) {
                    w.dequantize(rp + i, k0, k0 + kn, panel, i * kn);
                }
                boolean accumulate = k0 > 0;
                for (int t = 0; t < n; t += 4) {
                    int nt = Math.min(4, n - t);
                    for (int g = 0; g < pr; g += 4) {
                        int nr = Math.min(4, pr - g);
                        tile(panel, g * kn, kn, nr, x, t * xStride + k0, xStride, nt, tile);
                        store(tile, nr, nt, out, t * outStride + rp + g, outStride, accumulate);
                    }
                }
            }
        }
    }

    /**
     * {@code res[4 * i + j] = w[i] . x[j]} over k columns for i < 4, j < 4. Missing rows or tokens (nr, nt < 4)
     * repeat the last valid one, so there is one kernel and no branch in its loop; their results are dropped.
     */
    private static void tile(float[] w, int wOff, int k, int nr, float[] x, int xOff, int xStride, int nt,
                             float[] res) {
        int w0 = wOff;
        int w1 = wOff + Math.min(1, nr - 1) * k;
        int w2 = wOff + Math.min(2, nr - 1) * k;
        int w3 = wOff + Math.min(3, nr - 1) * k;
        int x0 = xOff;
        int x1 = xOff + Math.min(1, nt - 1) * xStride;
        int x2 = xOff + Math.min(2, nt - 1) * xStride;
        int x3 = xOff + Math.min(3, nt - 1) * xStride;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int upper = F.loopBound(k);
        int i = 0;
        for (; i < upper; i += L) {
            FloatVector a0 = FloatVector.fromArray(F, w, w0 + i);
            FloatVector a1 = FloatVector.fromArray(F, w, w1 + i);
            FloatVector a2 = FloatVector.fromArray(F, w, w2 + i);
            FloatVector a3 = FloatVector.fromArray(F, w, w3 + i);
            FloatVector b = FloatVector.fromArray(F, x, x0 + i);
            c00 = a0.fma(b, c00);
            c10 = a1.fma(b, c10);
            c20 = a2.fma(b, c20);
            c30 = a3.fma(b, c30);
            b = FloatVector.fromArray(F, x, x1 + i);
            c01 = a0.fma(b, c01);
            c11 = a1.fma(b, c11);
            c21 = a2.fma(b, c21);
            c31 = a3.fma(b, c31);
            b = FloatVector.fromArray(F, x, x2 + i);
            c02 = a0.fma(b, c02);
            c12 = a1.fma(b, c12);
            c22 = a2.fma(b, c22);
            c32 = a3.fma(b, c32);
            b = FloatVector.fromArray(F, x, x3 + i);
            c03 = a0.fma(b, c03);
            c13 = a1.fma(b, c13);
            c23 = a2.fma(b, c23);
            c33 = a3.fma(b, c33);
        }
        res[0] = c00.reduceLanes(VectorOperators.ADD);
        res[1] = c01.reduceLanes(VectorOperators.ADD);
        res[2] = c02.reduceLanes(VectorOperators.ADD);
        res[3] = c03.reduceLanes(VectorOperators.ADD);
        res[4] = c10.reduceLanes(VectorOperators.ADD);
        res[5] = c11.reduceLanes(VectorOperators.ADD);
        res[6] = c12.reduceLanes(VectorOperators.ADD);
        res[7] = c13.reduceLanes(VectorOperators.ADD);
        res[8] = c20.reduceLanes(VectorOperators.ADD);
        res[9] = c21.reduceLanes(VectorOperators.ADD);
        res[10] = c22.reduceLanes(VectorOperators.ADD);
        res[11] = c23.reduceLanes(VectorOperators.ADD);
        res[12] = c30.reduceLanes(VectorOperators.ADD);
        res[13] = c31.reduceLanes(VectorOperators.ADD);
        res[14] = c32.reduceLanes(VectorOperators.ADD);
        res[15] = c33.reduceLanes(VectorOperators.ADD);
        for (; i < k; i++) {
            float b0 = x[x0 + i], b1 = x[x1 + i], b2 = x[x2 + i], b3 = x[x3 + i];
            float a0 = w[w0 + i], a1 = w[w1 + i], a2 = w[w2 + i], a3 = w[w3 + i];
            res[0] += a0 * b0;
            res[1] += a0 * b1;
            res[2] += a0 * b2;
            res[3] += a0 * b3;
            res[4] += a1 * b0;
            res[5] += a1 * b1;
            res[6] += a1 * b2;
            res[7] += a1 * b3;
            res[8] += a2 * b0;
            res[9] += a2 * b1;
            res[10] += a2 * b2;
            res[11] += a2 * b3;
            res[12] += a3 * b0;
            res[13] += a3 * b1;
            res[14] += a3 * b2;
            res[15] += a3 * b3;
        }
    }

    /** Writes (or adds, for later column panels) the valid nr x nt part of a tile; out[o + j * outStride + i]. */
    private static void store(float[] res, int nr, int nt, float[] out, int o, int outStride, boolean accumulate) {
        for (int j = 0; j < nt; j++) {
            int base = o + j * outStride;
            for (int i = 0; i < nr; i++) {
                float v = res[4 * i + j];
                out[base + i] = accumulate ? out[base + i] + v : v;
            }
        }
    }
}
