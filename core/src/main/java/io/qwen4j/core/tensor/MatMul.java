package io.qwen4j.core.tensor;

/** Weight times activations over all cores: the one call the forward pass makes for every projection. */
public final class MatMul {

    /** Tokens per work unit when the input of a prefill product is rounded in parallel. */
    private static final int ROUND_TOKENS = 8;

    /** The caller's buffer for inputs rounded as llama.cpp rounds them ({@link ActivationRounding}). */
    private static final ThreadLocal<float[][]> ROUNDED = ThreadLocal.withInitial(() -> new float[1][0]);

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
        float[] in = roundedInput(w, x, n);
        int blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
        Parallel.parallelFor(blocks, (b0, b1) -> {
            int r0 = b0 * ROW_BLOCK;
            int r1 = Math.min(rows, b1 * ROW_BLOCK);
            if (n == 1) {
                w.matvec(in, 0, out, 0, r0, r1);
            } else {
                w.matmul(in, cols, n, out, rows, r0, r1);
            }
        });
    }

    /** x itself for float weights, else x rounded per token into this thread's buffer. */
    private static float[] roundedInput(Matrix w, float[] x, int n) {
        ActivationRounding.Kind kind = ActivationRounding.kindFor(w.type());
        if (kind == ActivationRounding.Kind.NONE) {
            return x;
        }
        int cols = w.cols();
        float[][] holder = ROUNDED.get();
        if (holder[0].length < n * cols) {
            holder[0] = new float[n * cols];
        }
        float[] rounded = holder[0];
        if (n < 2 * ROUND_TOKENS) {
            ActivationRounding.round(kind, x, 0, n * cols, rounded);
        } else {
            Parallel.parallelFor((n + ROUND_TOKENS - 1) / ROUND_TOKENS, (c0, c1) -> {
                int t0 = c0 * ROUND_TOKENS;
                int t1 = Math.min(n, c1 * ROUND_TOKENS);
                ActivationRounding.round(kind, x, t0 * cols, (t1 - t0) * cols, rounded);
            });
        }
        return rounded;
    }
}
