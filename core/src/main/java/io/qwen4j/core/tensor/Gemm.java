package io.qwen4j.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The prefill path shared by every weight type, in the broadcast (outer-product) form: a panel of rows is
 * dequantised once into a thread-local float buffer (L2-sized), packed so that each group of {@link #MR} rows is
 * stored column by column ({@code MR} consecutive floats per column). A register tile then multiplies two weight
 * vectors (MR rows of one column) by NR tokens' scalars of that column, broadcast: each weight load feeds NR FMAs,
 * each broadcast two, and the accumulators are the output rows themselves, so there is no lane reduction and the
 * activations are read in place.
 */
final class Gemm {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;

    /** Rows per tile: two weight vectors. */
    static final int MR = 2 * L;
    /**
     * Tokens per tile, chosen by register count: 6 needs 12 accumulators + 2 weights + 1 broadcast = 15 of the 16
     * registers of AVX2 (and SSE); with 512-bit vectors (AVX-512: 32 registers) 12 tokens use 24 + 2 + 1.
     */
    static final int NR = L >= 16 ? 12 : 6;

    /** Columns per panel: a multiple of every block size (256 for K-quants). */
    static final int KC = 512;
    /** Panel capacity in floats (256 KiB), so that a panel stays in L2 while the token tiles stream over it. */
    static final int PANEL_FLOATS = 64 * 1024;

    /**
     * Columns summed in registers before the sums are added to the tile buffer: each lane then adds at most this
     * many terms in sequence, as in a row dot product, which keeps the rounding error that of the matvec path.
     */
    static final int SUM_BLOCK = 64;

    /** Columns dequantised at once while packing: a multiple of every block size. */
    static final int CHUNK = 256;
    /** Row stride of the packing buffer, padded off a multiple of 1 KiB so that its rows do not share cache sets. */
    private static final int CHUNK_STRIDE = CHUNK + 16;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private static final class Buffers {
        final float[] panel = new float[PANEL_FLOATS];
        final float[] rows = new float[MR * CHUNK_STRIDE];
        final float[] tile = new float[MR * 12];
    }

    private Gemm() {
    }

    static void matmul(Matrix w, float[] x, int xStride, int n, float[] out, int outStride, int r0, int r1) {
        matmul(w, x, xStride, n, out, outStride, r0, r1, NR);
    }

    /** With a given tile width (6 or 12 tokens), so that tests run both kernels whatever this machine's width. */
    static void matmul(Matrix w, float[] x, int xStride, int n, float[] out, int outStride, int r0, int r1,
                       int nr) {
        int cols = w.cols();
        Buffers buffers = BUFFERS.get();
        float[] panel = buffers.panel;
        float[] tile = buffers.tile;
        int kc = Math.min(KC, cols);
        int panelRows = Math.max(MR, PANEL_FLOATS / kc / MR * MR);
        for (int rp = r0; rp < r1; rp += panelRows) {
            int pr = Math.min(panelRows, r1 - rp);
            for (int k0 = 0; k0 < cols; k0 += KC) {
                int kn = Math.min(KC, cols - k0);
                pack(w, rp, pr, k0, kn, panel, buffers.rows);
                boolean accumulate = k0 > 0;
                for (int t = 0; t < n; t += nr) {
                    int nt = Math.min(nr, n - t);
                    int xOff = t * xStride + k0;
                    for (int g = 0; g < pr; g += MR) {
                        int mr = Math.min(MR, pr - g);
                        int o = t * outStride + rp + g;
                        // the last tile of a batch may be short (a mixture's expert sees a few dozen tokens):
                        // a narrower kernel there, not a full one on repeated tokens
                        if (nt <= 3) {
                            tile3(panel, g * kn, kn, x, xOff, xStride, nt, tile);
                        } else if (nr == 6 || nt <= 6) {
                            tile6(panel, g * kn, kn, x, xOff, xStride, nt, tile);
                        } else {
                            tile12(panel, g * kn, kn, x, xOff, xStride, nt, tile);
                        }
                        store(tile, mr, nt, out, o, outStride, accumulate);
                    }
                }
            }
        }
    }

    /**
     * Rows [rp, rp + pr), columns [k0, k0 + kn) into {@code panel[g * kn + k * MR + i]} for the row group starting
     * at g; the rows that pad the last group to MR are zero (their outputs are dropped). A group is dequantised
     * {@link #CHUNK} columns at a time into a small buffer and transposed from there, so that both the buffer and
     * the part of the panel being written stay in L1.
     */
    private static void pack(Matrix w, int rp, int pr, int k0, int kn, float[] panel, float[] rows) {
        for (int g = 0; g < pr; g += MR) {
            int mr = Math.min(MR, pr - g);
            if (w instanceof InterleavedMatrix im && mr == MR && (rp + g) % im.groupRows == 0) {
                // already nearly column by column: each row group fills its share of every panel column
                for (int i = 0; i < MR; i += im.groupRows) {
                    im.dequantizeGroup((rp + g + i) / im.groupRows, k0, k0 + kn, panel, g * kn + i, MR);
                }
                continue;
            }
            for (int c = 0; c < kn; c += CHUNK) {
                int cn = Math.min(CHUNK, kn - c);
                for (int i = 0; i < MR; i++) {
                    if (i < mr) {
                        w.dequantize(rp + g + i, k0 + c, k0 + c + cn, rows, i * CHUNK_STRIDE);
                    } else {
                        Arrays.fill(rows, i * CHUNK_STRIDE, i * CHUNK_STRIDE + cn, 0f);
                    }
                }
                transpose(rows, cn, panel, g * kn + c * MR);
            }
        }
    }

    /**
     * {@code panel[dst + k * MR + i] = rows[i * CHUNK_STRIDE + k]} for k < cn, i < MR. Scalar, row by row: faster
     * here than gathering each column (AVX2 gathers are slow) or a loop over columns.
     */
    private static void transpose(float[] rows, int cn, float[] panel, int dst) {
        for (int i = 0; i < MR; i++) {
            int src = i * CHUNK_STRIDE;
            int d = dst + i;
            for (int k = 0; k < cn; k++) {
                panel[d + k * MR] = rows[src + k];
            }
        }
    }

    /**
     * {@code tmp[j * MR + i] = sum over k of p[pOff + k * MR + i] * x[xOff + j * xStride + k]} for the MR rows of
     * one packed group and tokens j < nt (at most 6). Missing tokens repeat the last valid one, so the loop has no
     * branch; their results are dropped. The sums are left in tmp, not passed on as vectors: a vector handed to a
     * method that C2 does not inline is boxed.
     */
    private static void tile6(float[] p, int pOff, int kn, float[] x, int xOff, int xStride, int nt,
                              float[] tmp) {
        int x0 = xOff;
        int x1 = xOff + Math.min(1, nt - 1) * xStride;
        int x2 = xOff + Math.min(2, nt - 1) * xStride;
        int x3 = xOff + Math.min(3, nt - 1) * xStride;
        int x4 = xOff + Math.min(4, nt - 1) * xStride;
        int x5 = xOff + Math.min(5, nt - 1) * xStride;
        Arrays.fill(tmp, 0, 6 * MR, 0f);
        for (int kb = 0; kb < kn; kb += SUM_BLOCK) {
            int ke = Math.min(kn, kb + SUM_BLOCK);
            FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00;
            FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00;
            for (int k = kb; k < ke; k++) {
                int pk = pOff + k * MR;
                FloatVector a0 = FloatVector.fromArray(F, p, pk);
                FloatVector a1 = FloatVector.fromArray(F, p, pk + L);
                FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
                c00 = a0.fma(b, c00);
                c10 = a1.fma(b, c10);
                b = FloatVector.broadcast(F, x[x1 + k]);
                c01 = a0.fma(b, c01);
                c11 = a1.fma(b, c11);
                b = FloatVector.broadcast(F, x[x2 + k]);
                c02 = a0.fma(b, c02);
                c12 = a1.fma(b, c12);
                b = FloatVector.broadcast(F, x[x3 + k]);
                c03 = a0.fma(b, c03);
                c13 = a1.fma(b, c13);
                b = FloatVector.broadcast(F, x[x4 + k]);
                c04 = a0.fma(b, c04);
                c14 = a1.fma(b, c14);
                b = FloatVector.broadcast(F, x[x5 + k]);
                c05 = a0.fma(b, c05);
                c15 = a1.fma(b, c15);
            }
            c00.add(FloatVector.fromArray(F, tmp, 0)).intoArray(tmp, 0);
            c10.add(FloatVector.fromArray(F, tmp, L)).intoArray(tmp, L);
            c01.add(FloatVector.fromArray(F, tmp, 1 * MR)).intoArray(tmp, 1 * MR);
            c11.add(FloatVector.fromArray(F, tmp, 1 * MR + L)).intoArray(tmp, 1 * MR + L);
            c02.add(FloatVector.fromArray(F, tmp, 2 * MR)).intoArray(tmp, 2 * MR);
            c12.add(FloatVector.fromArray(F, tmp, 2 * MR + L)).intoArray(tmp, 2 * MR + L);
            c03.add(FloatVector.fromArray(F, tmp, 3 * MR)).intoArray(tmp, 3 * MR);
            c13.add(FloatVector.fromArray(F, tmp, 3 * MR + L)).intoArray(tmp, 3 * MR + L);
            c04.add(FloatVector.fromArray(F, tmp, 4 * MR)).intoArray(tmp, 4 * MR);
            c14.add(FloatVector.fromArray(F, tmp, 4 * MR + L)).intoArray(tmp, 4 * MR + L);
            c05.add(FloatVector.fromArray(F, tmp, 5 * MR)).intoArray(tmp, 5 * MR);
            c15.add(FloatVector.fromArray(F, tmp, 5 * MR + L)).intoArray(tmp, 5 * MR + L);
        }
    }

    /** {@link #tile6} for up to 3 tokens: the short last tile of a batch. */
    private static void tile3(float[] p, int pOff, int kn, float[] x, int xOff, int xStride, int nt,
                              float[] tmp) {
        int x0 = xOff;
        int x1 = xOff + Math.min(1, nt - 1) * xStride;
        int x2 = xOff + Math.min(2, nt - 1) * xStride;
        Arrays.fill(tmp, 0, 3 * MR, 0f);
        for (int kb = 0; kb < kn; kb += SUM_BLOCK) {
            int ke = Math.min(kn, kb + SUM_BLOCK);
            FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00;
            FloatVector c10 = c00, c11 = c00, c12 = c00;
            for (int k = kb; k < ke; k++) {
                int pk = pOff + k * MR;
                FloatVector a0 = FloatVector.fromArray(F, p, pk);
                FloatVector a1 = FloatVector.fromArray(F, p, pk + L);
                FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
                c00 = a0.fma(b, c00);
                c10 = a1.fma(b, c10);
                b = FloatVector.broadcast(F, x[x1 + k]);
                c01 = a0.fma(b, c01);
                c11 = a1.fma(b, c11);
                b = FloatVector.broadcast(F, x[x2 + k]);
                c02 = a0.fma(b, c02);
                c12 = a1.fma(b, c12);
            }
            c00.add(FloatVector.fromArray(F, tmp, 0)).intoArray(tmp, 0);
            c10.add(FloatVector.fromArray(F, tmp, L)).intoArray(tmp, L);
            c01.add(FloatVector.fromArray(F, tmp, 1 * MR)).intoArray(tmp, 1 * MR);
            c11.add(FloatVector.fromArray(F, tmp, 1 * MR + L)).intoArray(tmp, 1 * MR + L);
            c02.add(FloatVector.fromArray(F, tmp, 2 * MR)).intoArray(tmp, 2 * MR);
            c12.add(FloatVector.fromArray(F, tmp, 2 * MR + L)).intoArray(tmp, 2 * MR + L);
        }
    }

    /** {@link #tile6} for up to 12 tokens: 24 accumulators, for 32-register machines. */
    private static void tile12(float[] p, int pOff, int kn, float[] x, int xOff, int xStride, int nt,
                              float[] tmp) {
        int x0 = xOff;
        int x1 = xOff + Math.min(1, nt - 1) * xStride;
        int x2 = xOff + Math.min(2, nt - 1) * xStride;
        int x3 = xOff + Math.min(3, nt - 1) * xStride;
        int x4 = xOff + Math.min(4, nt - 1) * xStride;
        int x5 = xOff + Math.min(5, nt - 1) * xStride;
        int x6 = xOff + Math.min(6, nt - 1) * xStride;
        int x7 = xOff + Math.min(7, nt - 1) * xStride;
        int x8 = xOff + Math.min(8, nt - 1) * xStride;
        int x9 = xOff + Math.min(9, nt - 1) * xStride;
        int x10 = xOff + Math.min(10, nt - 1) * xStride;
        int x11 = xOff + Math.min(11, nt - 1) * xStride;
        Arrays.fill(tmp, 0, 12 * MR, 0f);
        for (int kb = 0; kb < kn; kb += SUM_BLOCK) {
            int ke = Math.min(kn, kb + SUM_BLOCK);
            FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00;
            FloatVector c06 = c00, c07 = c00, c08 = c00, c09 = c00, c010 = c00, c011 = c00;
            FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00;
            FloatVector c16 = c00, c17 = c00, c18 = c00, c19 = c00, c110 = c00, c111 = c00;
            for (int k = kb; k < ke; k++) {
                int pk = pOff + k * MR;
                FloatVector a0 = FloatVector.fromArray(F, p, pk);
                FloatVector a1 = FloatVector.fromArray(F, p, pk + L);
                FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
                c00 = a0.fma(b, c00);
                c10 = a1.fma(b, c10);
                b = FloatVector.broadcast(F, x[x1 + k]);
                c01 = a0.fma(b, c01);
                c11 = a1.fma(b, c11);
                b = FloatVector.broadcast(F, x[x2 + k]);
                c02 = a0.fma(b, c02);
                c12 = a1.fma(b, c12);
                b = FloatVector.broadcast(F, x[x3 + k]);
                c03 = a0.fma(b, c03);
                c13 = a1.fma(b, c13);
                b = FloatVector.broadcast(F, x[x4 + k]);
                c04 = a0.fma(b, c04);
                c14 = a1.fma(b, c14);
                b = FloatVector.broadcast(F, x[x5 + k]);
                c05 = a0.fma(b, c05);
                c15 = a1.fma(b, c15);
                b = FloatVector.broadcast(F, x[x6 + k]);
                c06 = a0.fma(b, c06);
                c16 = a1.fma(b, c16);
                b = FloatVector.broadcast(F, x[x7 + k]);
                c07 = a0.fma(b, c07);
                c17 = a1.fma(b, c17);
                b = FloatVector.broadcast(F, x[x8 + k]);
                c08 = a0.fma(b, c08);
                c18 = a1.fma(b, c18);
                b = FloatVector.broadcast(F, x[x9 + k]);
                c09 = a0.fma(b, c09);
                c19 = a1.fma(b, c19);
                b = FloatVector.broadcast(F, x[x10 + k]);
                c010 = a0.fma(b, c010);
                c110 = a1.fma(b, c110);
                b = FloatVector.broadcast(F, x[x11 + k]);
                c011 = a0.fma(b, c011);
                c111 = a1.fma(b, c111);
            }
            c00.add(FloatVector.fromArray(F, tmp, 0)).intoArray(tmp, 0);
            c10.add(FloatVector.fromArray(F, tmp, L)).intoArray(tmp, L);
            c01.add(FloatVector.fromArray(F, tmp, 1 * MR)).intoArray(tmp, 1 * MR);
            c11.add(FloatVector.fromArray(F, tmp, 1 * MR + L)).intoArray(tmp, 1 * MR + L);
            c02.add(FloatVector.fromArray(F, tmp, 2 * MR)).intoArray(tmp, 2 * MR);
            c12.add(FloatVector.fromArray(F, tmp, 2 * MR + L)).intoArray(tmp, 2 * MR + L);
            c03.add(FloatVector.fromArray(F, tmp, 3 * MR)).intoArray(tmp, 3 * MR);
            c13.add(FloatVector.fromArray(F, tmp, 3 * MR + L)).intoArray(tmp, 3 * MR + L);
            c04.add(FloatVector.fromArray(F, tmp, 4 * MR)).intoArray(tmp, 4 * MR);
            c14.add(FloatVector.fromArray(F, tmp, 4 * MR + L)).intoArray(tmp, 4 * MR + L);
            c05.add(FloatVector.fromArray(F, tmp, 5 * MR)).intoArray(tmp, 5 * MR);
            c15.add(FloatVector.fromArray(F, tmp, 5 * MR + L)).intoArray(tmp, 5 * MR + L);
            c06.add(FloatVector.fromArray(F, tmp, 6 * MR)).intoArray(tmp, 6 * MR);
            c16.add(FloatVector.fromArray(F, tmp, 6 * MR + L)).intoArray(tmp, 6 * MR + L);
            c07.add(FloatVector.fromArray(F, tmp, 7 * MR)).intoArray(tmp, 7 * MR);
            c17.add(FloatVector.fromArray(F, tmp, 7 * MR + L)).intoArray(tmp, 7 * MR + L);
            c08.add(FloatVector.fromArray(F, tmp, 8 * MR)).intoArray(tmp, 8 * MR);
            c18.add(FloatVector.fromArray(F, tmp, 8 * MR + L)).intoArray(tmp, 8 * MR + L);
            c09.add(FloatVector.fromArray(F, tmp, 9 * MR)).intoArray(tmp, 9 * MR);
            c19.add(FloatVector.fromArray(F, tmp, 9 * MR + L)).intoArray(tmp, 9 * MR + L);
            c010.add(FloatVector.fromArray(F, tmp, 10 * MR)).intoArray(tmp, 10 * MR);
            c110.add(FloatVector.fromArray(F, tmp, 10 * MR + L)).intoArray(tmp, 10 * MR + L);
            c011.add(FloatVector.fromArray(F, tmp, 11 * MR)).intoArray(tmp, 11 * MR);
            c111.add(FloatVector.fromArray(F, tmp, 11 * MR + L)).intoArray(tmp, 11 * MR + L);
        }
    }

    /**
     * Writes (or adds, for the later column panels) the valid mr x nt part of a tile: token j's rows are at
     * {@code tile[j * MR ..]} and go to {@code out[o + j * outStride ..]}.
     */
    private static void store(float[] tile, int mr, int nt, float[] out, int o, int outStride, boolean accumulate) {
        for (int j = 0; j < nt; j++) {
            int base = o + j * outStride;
            if (mr == MR) {
                FloatVector lo = FloatVector.fromArray(F, tile, j * MR);
                FloatVector hi = FloatVector.fromArray(F, tile, j * MR + L);
                if (accumulate) {
                    lo = lo.add(FloatVector.fromArray(F, out, base));
                    hi = hi.add(FloatVector.fromArray(F, out, base + L));
                }
                lo.intoArray(out, base);
                hi.intoArray(out, base + L);
            } else {
                for (int i = 0; i < mr; i++) {
                    float v = tile[j * MR + i];
                    out[base + i] = accumulate ? out[base + i] + v : v;
                }
            }
        }
    }
}
