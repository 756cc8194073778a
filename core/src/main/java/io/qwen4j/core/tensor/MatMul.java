package io.qwen4j.core.tensor;

/** Weight times activations over all cores: the one call the forward pass makes for every projection. */
public final class MatMul {

    /** Tokens per work unit when the input of a prefill product is rounded in parallel. */
    private static final int ROUND_TOKENS = 8;

    /** The caller's buffer for inputs rounded as llama.cpp rounds them ({@link ActivationRounding}). */
    private static final ThreadLocal<float[][]> ROUNDED = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * Rows per work unit handed to {@link Parallel}: a multiple of the 4-row GEMM tile and of the interleaved row
     * groups (a range that starts inside a group computes the whole group).
     */
    static final int ROW_BLOCK = Math.max(16, InterleavedMatrix.SHORT_ROWS);

    private MatMul() {
    }

    /**
     * {@code out[t][r] = W[r] . x[t]} for t &lt; n: x is {@code [n][w.cols()]} row-major, out is {@code [n][w.rows()]}
     * row-major. Rows are split over {@link Parallel}; each worker reads its rows once for all n tokens.
     */
    public static void apply(Matrix w, float[] x, int n, float[] out) {
        check(w, x, n, out);
        if (n > 0 && w instanceof InterleavedMatrix im && n < Matrix.FEW_TOKENS) {
            runInterleaved(x, n, im, out, null, null, null, null);
        } else if (n > 0) {
            run(w, roundedInput(ActivationRounding.kindFor(w.type()), x, n, w.cols()), n, out);
        }
    }

    /** Two products of the same input (gate and up): as {@link #apply(Matrix, float[], int, float[])} each. */
    public static void apply(float[] x, int n, Matrix a, float[] outA, Matrix b, float[] outB) {
        apply(x, n, a, outA, b, outB, null, null);
    }

    /**
     * Up to three products of the same input (q, k and v), c may be null: the input is rounded once for weights
     * that round it the same way, not once per product.
     */
    public static void apply(float[] x, int n, Matrix a, float[] outA, Matrix b, float[] outB, Matrix c,
                             float[] outC) {
        check(a, x, n, outA);
        check(b, x, n, outB);
        if (c != null) {
            check(c, x, n, outC);
        }
        if (n == 0) {
            return;
        }
        if (n < Matrix.FEW_TOKENS && a instanceof InterleavedMatrix ia && b instanceof InterleavedMatrix ib
                && (c == null || c instanceof InterleavedMatrix)) {
            runInterleaved(x, n, ia, outA, ib, outB, (InterleavedMatrix) c, outC);
            return;
        }
        ActivationRounding.Kind kindA = ActivationRounding.kindFor(a.type());
        float[] in = roundedInput(kindA, x, n, a.cols());
        run(a, in, n, outA);
        ActivationRounding.Kind kindB = ActivationRounding.kindFor(b.type());
        if (kindB != kindA) {
            in = roundedInput(kindB, x, n, b.cols());
        }
        run(b, in, n, outB);
        if (c != null) {
            ActivationRounding.Kind kindC = ActivationRounding.kindFor(c.type());
            run(c, kindC == kindB ? in : roundedInput(kindC, x, n, c.cols()), n, outC);
        }
    }

    private static void check(Matrix w, float[] x, int n, float[] out) {
        if (n < 0) {
            throw new IllegalArgumentException("token count " + n + " is negative");
        }
        if ((long) n * w.cols() > x.length || (long) n * w.rows() > out.length) {
            throw new IllegalArgumentException(w.name() + ": " + n + " tokens need x of " + (long) n * w.cols()
                    + " and out of " + (long) n * w.rows() + " floats, got " + x.length + " and " + out.length);
        }
    }

    /** Most tokens of a batch whose products take the row kernels (above, the prefill tile). */
    public static final int SMALL_BATCH = Matrix.FEW_TOKENS - 1;

    /**
     * Whether products with w and at most {@link #SMALL_BATCH} tokens share the parallel jobs of
     * {@link #applyAll} (weights repacked for the kernels); others there run one by one, through copies.
     */
    public static boolean batchesTogether(Matrix w) {
        return w instanceof InterleavedMatrix;
    }

    /**
     * Several products in one parallel job: {@code out[i][outOff[i] + t * rows + r] = W_i[r] . x[i][xOff[i] + t *
     * cols ..]} for t &lt; n[i]. For a mixture of experts' selected experts, whose products are too small to be
     * worth a hand-over to the workers each. Products with interleaved weights and at most {@link #SMALL_BATCH}
     * tokens share the job; others run one by one as {@link #apply(Matrix, float[], int, float[])} does.
     */
    public static void applyAll(int count, Matrix[] w, float[][] x, int[] xOff, int[] n, float[][] out,
                                int[] outOff) {
        Batch batch = BATCH.get();
        batch.clear();
        for (int i = 0; i < count; i++) {
            if (n[i] < 0 || xOff[i] < 0 || outOff[i] < 0 || (long) xOff[i] + (long) n[i] * w[i].cols() > x[i].length
                    || (long) outOff[i] + (long) n[i] * w[i].rows() > out[i].length) {
                throw new IllegalArgumentException(w[i].name() + ": " + n[i] + " tokens at x offset " + xOff[i]
                        + " and out offset " + outOff[i] + " do not fit x of " + x[i].length + " and out of "
                        + out[i].length + " floats");
            }
            if (n[i] == 0) {
                continue;
            }
            if (w[i] instanceof InterleavedMatrix im && n[i] <= SMALL_BATCH) {
                batch.add(im, x[i], xOff[i], n[i], out[i], outOff[i]);
            } else if (xOff[i] == 0 && outOff[i] == 0) {
                apply(w[i], x[i], n[i], out[i]);
            } else {
                float[] in = java.util.Arrays.copyOfRange(x[i], xOff[i], xOff[i] + n[i] * w[i].cols());
                float[] result = new float[n[i] * w[i].rows()];
                apply(w[i], in, n[i], result);
                System.arraycopy(result, 0, out[i], outOff[i], result.length);
            }
        }
        runBatch(batch);
    }

    /** The caller's products of {@link #runBatch} and their prepared inputs per token; grows as needed. */
    private static final class Batch {
        int count;
        InterleavedMatrix[] weights = new InterleavedMatrix[4];
        float[][] xs = new float[4][];
        int[] xOffs = new int[4];
        int[] ns = new int[4];
        float[][] outs = new float[4][];
        int[] outOffs = new int[4];
        /** Product i reads the inputs prepared for product source[i] (the same preparation of the same x). */
        int[] source = new int[4];
        /** Product i has the row blocks [first[i], first[i + 1]) of the job. */
        int[] first = new int[5];
        InterleavedMatrix.Input[][] inputs = new InterleavedMatrix.Input[4][];
        /** The job's body, made once: a lambda capturing the batch per call was decode's last allocation. */
        final Parallel.IntRangeBody blocks = this::runBlocks;

        /** The row blocks [b0, b1) of the job, which may span several products. */
        void runBlocks(int b0, int b1) {
            int i = 0;
            for (int blk = b0; blk < b1; ) {
                while (blk >= first[i + 1]) {
                    i++;
                }
                InterleavedMatrix w = weights[i];
                int end = Math.min(b1, first[i + 1]);
                int r0 = (blk - first[i]) * ROW_BLOCK;
                int r1 = Math.min(w.rows(), (end - first[i]) * ROW_BLOCK);
                for (int t = 0; t < ns[i]; t++) {
                    w.dotRows(inputs[source[i]][t], outs[i], outOffs[i] + t * w.rows(), r0, r1);
                }
                blk = end;
            }
        }

        void clear() {
            for (int i = 0; i < count; i++) {
                weights[i] = null; // the caller's arrays are not kept alive past the call
                xs[i] = null;
                outs[i] = null;
            }
            count = 0;
        }

        void add(InterleavedMatrix w, float[] x, int xOff, int n, float[] out, int outOff) {
            if (count == weights.length) {
                int size = 2 * count;
                weights = java.util.Arrays.copyOf(weights, size);
                xs = java.util.Arrays.copyOf(xs, size);
                xOffs = java.util.Arrays.copyOf(xOffs, size);
                ns = java.util.Arrays.copyOf(ns, size);
                outs = java.util.Arrays.copyOf(outs, size);
                outOffs = java.util.Arrays.copyOf(outOffs, size);
                source = java.util.Arrays.copyOf(source, size);
                first = java.util.Arrays.copyOf(first, size + 1);
                inputs = java.util.Arrays.copyOf(inputs, size);
            }
            int i = count++;
            weights[i] = w;
            xs[i] = x;
            xOffs[i] = xOff;
            ns[i] = n;
            outs[i] = out;
            outOffs[i] = outOff;
            if (inputs[i] == null) {
                inputs[i] = new InterleavedMatrix.Input[SMALL_BATCH];
                for (int t = 0; t < SMALL_BATCH; t++) {
                    inputs[i][t] = new InterleavedMatrix.Input();
                }
            }
        }
    }

    private static final ThreadLocal<Batch> BATCH = ThreadLocal.withInitial(Batch::new);

    /**
     * Up to three products of the same x (b and c may be null) with interleaved weights, for a few tokens, as one
     * job of {@link #runBatch}: q, k and v (or gate and up) cost one hand-over to the workers, not three.
     */
    private static void runInterleaved(float[] x, int n, InterleavedMatrix a, float[] outA, InterleavedMatrix b,
                                       float[] outB, InterleavedMatrix c, float[] outC) {
        Batch batch = BATCH.get();
        batch.clear();
        batch.add(a, x, 0, n, outA, 0);
        if (b != null) {
            batch.add(b, x, 0, n, outB, 0);
        }
        if (c != null) {
            batch.add(c, x, 0, n, outC, 0);
        }
        runBatch(batch);
    }

    /**
     * The batch's products as one parallel job over all their row blocks. Each token's input is prepared once per
     * kind of kernel and x (the kernels round it themselves), not once per work unit: for an expert of a few hundred
     * rows that preparation cost as much as the products.
     */
    private static void runBatch(Batch batch) {
        int count = batch.count;
        if (count == 0) {
            return;
        }
        for (int i = 0; i < count; i++) {
            InterleavedMatrix w = batch.weights[i];
            batch.source[i] = i;
            for (int j = 0; j < i; j++) {
                if (batch.weights[j].getClass() == w.getClass() && batch.weights[j].cols() == w.cols()
                        && batch.xs[j] == batch.xs[i] && batch.xOffs[j] == batch.xOffs[i]
                        && batch.ns[j] == batch.ns[i]) {
                    batch.source[i] = batch.source[j];
                    break;
                }
            }
            if (batch.source[i] == i) {
                for (int t = 0; t < batch.ns[i]; t++) {
                    w.prepare(batch.xs[i], batch.xOffs[i] + t * w.cols(), batch.inputs[i][t]);
                }
            }
            batch.first[i + 1] = batch.first[i] + (w.rows() + ROW_BLOCK - 1) / ROW_BLOCK;
        }
        Parallel.parallelFor(batch.first[count], batch.blocks);
        batch.clear();
    }

    private static void run(Matrix w, float[] in, int n, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
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
    private static float[] roundedInput(ActivationRounding.Kind kind, float[] x, int n, int cols) {
        if (kind == ActivationRounding.Kind.NONE) {
            return x;
        }
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
