package io.qwen4j.core.tensor;

/** Weight times activations over all cores: the one call the forward pass makes for every projection. */
public final class MatMul {

    /** Rows per work unit handed to {@link Parallel}: a multiple of the 4-row GEMM tile. */
    static final int ROW_BLOCK = 16;

    private MatMul() {
    }

    /**
     * {@code out[t][r] = W[r] . x[t]} for t &lt; n: x is {@code [n][w.cols()]} row-major, out is {@code [n][w.rows()]}
     * row-major. Rows are split over {@link Parallel}; each worker reads its rows once for all n tokens.
     */
    public static void apply(Matrix w, float[] x, int n, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
        if (n < 0) {
            throw new IllegalArgumentException("token count " + n + " is negative");
        }
        if ((long) n * cols > x.length || (long) n * rows > out.length) {
            throw new IllegalArgumentException(w.name() + ": " + n + " tokens need x of " + (long) n * cols
                    + " and out of " + (long) n * rows + " floats, got " + x.length + " and " + out.length);
        }
        if (n == 0) {
            return;
        }
        int blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
        Parallel.parallelFor(blocks, (b0, b1) -> {
            int r0 = b0 * ROW_BLOCK;
            int r1 = Math.min(rows, b1 * ROW_BLOCK);
            if (n == 1) {
                w.matvec(x, 0, out, 0, r0, r1);
            } else {
                w.matmul(x, cols, n, out, rows, r0, r1);
            }
        });
    }
}
