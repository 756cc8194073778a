package io.qwen4j.core.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A quantised weight repacked at load time so that {@link #R} consecutive rows are stored together, block by block,
 * with the same element of every row side by side: one vector load then holds one column of R rows, so a row group
 * is multiplied by broadcasting each activation into an FMA with R accumulators (one per row). There are no lane
 * reductions and no per-row scalar work inside the loop; the per-block scales of the R rows also load as one vector.
 * llama.cpp repacks its 4-bit types on x86 for the same reason.
 * <p>
 * Row groups are padded with zero rows to a multiple of R; {@link #data} holds {@link #base} bytes of other experts
 * first. Subclasses give the block layout of one group.
 */
abstract class InterleavedMatrix extends Matrix {

    /** Rows per group: one per float lane. */
    static final int R = Simd.L;

    /** Bytes of one group of R rows over all columns. */
    final long groupBytes;

    InterleavedMatrix(String name, GGMLType type, int rows, int cols, MemorySegment packed, long base,
                      long groupBytes) {
        super(name, type, rows, cols, packed, base);
        this.groupBytes = groupBytes;
    }

    /**
     * The interleaved form of {@code views}, the experts stacked {@code [rows][cols]} in {@code data} (one view for
     * a 2-D weight), repacked into new memory; null where their type has no interleaved form.
     */
    static Matrix[] pack(Matrix[] views, MemorySegment data) {
        int experts = views.length;
        int rows = views[0].rows();
        int cols = views[0].cols();
        Arena arena = Arena.ofAuto();
        Matrix[] packed = new Matrix[experts];
        switch (views[0].type()) {
            case Q4_0 -> {
                MemorySegment p = Q4_0Interleaved.repack(data, experts, rows, cols, arena);
                long expertBytes = groups(rows) * Q4_0Interleaved.groupBytes(cols);
                for (int e = 0; e < experts; e++) {
                    packed[e] = new Q4_0Interleaved(views[e].name(), rows, cols, p, e * expertBytes);
                }
            }
            case Q6_K -> {
                MemorySegment p = Q6_KInterleaved.repack(data, experts, rows, cols, arena);
                long expertBytes = groups(rows) * Q6_KInterleaved.groupBytes(cols);
                for (int e = 0; e < experts; e++) {
                    packed[e] = new Q6_KInterleaved(views[e].name(), rows, cols, p, e * expertBytes);
                }
            }
            default -> {
                return null;
            }
        }
        return packed;
    }

    /** Row groups of a matrix with {@code rows} rows. */
    static long groups(long rows) {
        return (rows + R - 1) / R;
    }

    /** Byte offset of row group g in {@link #data}. */
    final long groupOffset(int g) {
        return base + g * groupBytes;
    }

    @Override
    final void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        float[] aux = prepare(x, xOff);
        float[] partial = null;
        for (int g = r0 / R; g * R < r1; g++) {
            int first = g * R;
            if (first >= r0 && first + R <= r1) {
                dotGroup(g, x, xOff, aux, out, outOff + first);
            } else {
                // a range that starts or ends inside a group: the whole group, then only the asked rows
                if (partial == null) {
                    partial = new float[R];
                }
                dotGroup(g, x, xOff, aux, partial, 0);
                for (int r = Math.max(r0, first); r < Math.min(r1, first + R); r++) {
                    out[outOff + r] = partial[r - first];
                }
            }
        }
    }

    /** Per-call work on the activations shared by every group (block sums of x), or null. */
    abstract float[] prepare(float[] x, int xOff);

    /** {@code out[o + i] = dot(row g * R + i, x)} for the R rows of group g (padding rows give 0). */
    abstract void dotGroup(int g, float[] x, int xOff, float[] aux, float[] out, int o);

    /**
     * Columns [c0, c1) of the R rows of group g as floats, column by column:
     * {@code dst[dstOff + (c - c0) * stride + i] = W[g * R + i][c]}. c0 and c1 are multiples of the block size.
     * This is the prefill panel's layout ({@link Gemm}), which the interleaved data already has.
     */
    abstract void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride);
}
