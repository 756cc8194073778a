package io.qwen4j.core.tensor;

import io.qwen4j.core.ModelFormatException;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A 2-D weight {@code [rows][cols]} read in its stored GGML layout straight from (mapped) memory; nothing is copied
 * to the heap. One subclass per element type knows the block layout; this class checks arguments and holds the
 * shared prefill path ({@link Gemm}), so a new type only has to supply a fused row dot and a dequantiser.
 */
public abstract class Matrix {

    /**
     * Below this many tokens a product runs as row dots per token ({@link #matmul}). Measured (JMH, one thread,
     * 1024 x 3072): at 2 and 4 tokens the row dots were 1.5-4x the prefill tile for Q8_0 and Q4_K; at 6 tokens
     * Q8_0 still gained and Q4_K lost 2x.
     */
    static final int FEW_TOKENS = 6;
    /** Rows whose data stays in L1/L2 while every token of a small batch takes its dot products. */
    private static final int FEW_TOKENS_ROWS = 16;

    private final String name;
    private final GGMLType type;
    private final int rows;
    private final int cols;
    /** The whole tensor's data; an expert view reads it from {@link #base} on, so every view shares one segment. */
    final MemorySegment data;
    final long base;
    final long rowBytes;

    Matrix(String name, GGMLType type, int rows, int cols, MemorySegment data, long base) {
        this.name = name;
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.base = base;
        this.rowBytes = type.byteSize(cols);
    }

    /** A view of {@code t}, whose shape must be {@code [rows, cols]}. */
    public static Matrix of(Tensor t) {
        if (t.rank() != 2) {
            throw bad(t, "expected a 2-D weight [rows, cols]");
        }
        return create(t, 1, 0);
    }

    /** Expert {@code e} of a stacked MoE weight whose shape is {@code [experts, rows, cols]}. */
    public static Matrix expert(Tensor t, int e) {
        if (t.rank() != 3) {
            throw bad(t, "expected stacked experts [experts, rows, cols]");
        }
        if (e < 0 || e >= t.dim(0)) {
            throw new IllegalArgumentException("tensor " + t.name() + ": expert " + e + " out of range [0, "
                    + t.dim(0) + ")");
        }
        return create(t, t.dim(0), e);
    }

    /**
     * {@code t} (2-D) for the forward pass: where its type has an interleaved form ({@link InterleavedMatrix}) the
     * rows are repacked into new memory once, and the mapped pages they came from are released; otherwise the same
     * view as {@link #of}.
     */
    public static Matrix packed(Tensor t) {
        if (t.rank() != 2) {
            throw bad(t, "expected a 2-D weight [rows, cols]");
        }
        return packedViews(t, 1)[0];
    }

    /** Every expert of a stacked MoE weight {@code [experts, rows, cols]}, repacked as in {@link #packed}. */
    public static Matrix[] packedExperts(Tensor t) {
        if (t.rank() != 3) {
            throw bad(t, "expected stacked experts [experts, rows, cols]");
        }
        return packedViews(t, Math.toIntExact(t.dim(0)));
    }

    private static Matrix[] packedViews(Tensor t, int experts) {
        Matrix[] views = new Matrix[experts];
        for (int e = 0; e < experts; e++) {
            views[e] = create(t, experts, e); // checks the shape and size before anything is read
        }
        Matrix[] packed = InterleavedMatrix.pack(views, t.data());
        if (packed == null) {
            return views;
        }
        if (t.data().isMapped()) {
            t.data().unload(); // its pages are only read again for an embedding row of tied weights
        }
        return packed;
    }

    private static Matrix create(Tensor t, long experts, int e) {
        long rows = t.dim(t.rank() - 2);
        long cols = t.dim(t.rank() - 1);
        if (rows < 1 || cols < 1 || rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw bad(t, "rows and columns must be in [1, 2^31)");
        }
        GGMLType type = t.type();
        if (cols % type.blockSize != 0) {
            throw bad(t, cols + " columns is not a multiple of the " + type + " block size " + type.blockSize);
        }
        long rowBytes = type.byteSize(cols);
        long expected = Math.multiplyExact(Math.multiplyExact(experts, rows), rowBytes);
        if (t.data().byteSize() != expected) {
            throw bad(t, "data is " + t.data().byteSize() + " bytes but the shape needs " + expected);
        }
        String name = experts == 1 && t.rank() == 2 ? t.name() : t.name() + "[" + e + "]";
        return create(name, type, (int) rows, (int) cols, t.data(), e * rows * rowBytes, t);
    }

    /** The kernel family for {@code type}; the one place a new type is registered. */
    static Matrix create(String name, GGMLType type, int rows, int cols, MemorySegment data, long base,
                         Tensor source) {
        return switch (type) {
            case F32 -> new F32Matrix(name, rows, cols, data, base);
            case F16 -> new F16Matrix(name, rows, cols, data, base);
            case BF16 -> new BF16Matrix(name, rows, cols, data, base);
            case Q8_0 -> new Q8_0Matrix(name, rows, cols, data, base);
            case Q4_0 -> new Q4_0Matrix(name, rows, cols, data, base);
            case Q4_1 -> new Q4_1Matrix(name, rows, cols, data, base);
            case Q5_0, Q5_1 -> new Q5Blocks(name, type, rows, cols, data, base);
            case Q2_K -> new Q2_KMatrix(name, rows, cols, data, base);
            case Q3_K -> new Q3_KMatrix(name, rows, cols, data, base);
            case Q4_K -> new Q4_KMatrix(name, rows, cols, data, base);
            case Q5_K -> new Q5_KMatrix(name, rows, cols, data, base);
            case Q6_K -> new Q6_KMatrix(name, rows, cols, data, base);
            default -> throw bad(source, "type " + type + " is not supported by the matrix kernels (supported: "
                    + "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)");
        };
    }

    private static ModelFormatException bad(Tensor t, String problem) {
        return new ModelFormatException("tensor " + t.name() + " (" + t.type() + " " + Arrays.toString(t.shape())
                + "): " + problem);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public GGMLType type() {
        return type;
    }

    public String name() {
        return name;
    }

    /** {@code out[outOff + r] = dot(row r, x[xOff .. xOff + cols))} for r in [r0, r1); other outputs untouched. */
    public void matvec(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        checkRows(r0, r1);
        Objects.checkFromIndexSize(xOff, cols, x.length);
        Objects.checkFromToIndex(outOff + r0, outOff + r1, out.length);
        dotRows(x, xOff, out, outOff, r0, r1);
    }

    /**
     * Batched (prefill): for t in [0, n), {@code out[t * outStride + r] = dot(row r, x[t * xStride ..])} for r in
     * [r0, r1). Each weight row is read once for all n tokens.
     */
    public void matmul(float[] x, int xStride, int n, float[] out, int outStride, int r0, int r1) {
        checkRows(r0, r1);
        if (n < 0) {
            throw new IllegalArgumentException("token count " + n + " is negative");
        }
        if (n == 0 || r0 == r1) {
            return;
        }
        if (n > 1 && (xStride < cols || outStride < r1)) {
            throw new IllegalArgumentException("strides overlap: xStride " + xStride + " < cols " + cols
                    + " or outStride " + outStride + " < r1 " + r1);
        }
        Objects.checkFromIndexSize(0, (long) (n - 1) * xStride + cols, x.length);
        Objects.checkFromIndexSize(0, (long) (n - 1) * outStride + r1, out.length);
        if (n == 1) {
            dotRows(x, 0, out, 0, r0, r1);
        } else if (n < FEW_TOKENS) {
            // few tokens (batched decoding): a short run of rows comes from memory for the first token and from
            // cache for the others, which beats repacking the rows for the prefill tile
            for (int rb = r0; rb < r1; rb += FEW_TOKENS_ROWS) {
                int re = Math.min(r1, rb + FEW_TOKENS_ROWS);
                for (int t = 0; t < n; t++) {
                    dotRows(x, t * xStride, out, t * outStride, rb, re);
                }
            }
        } else {
            Gemm.matmul(this, x, xStride, n, out, outStride, r0, r1);
        }
    }

    /** Row r as floats into {@code dst[dstOff .. dstOff + cols)} (embedding lookup). */
    public void dequantizeRow(int r, float[] dst, int dstOff) {
        Objects.checkIndex(r, rows);
        Objects.checkFromIndexSize(dstOff, cols, dst.length);
        dequantize(r, 0, cols, dst, dstOff);
    }

    /** Byte offset of row r in {@link #data}. */
    final long rowOffset(int r) {
        return base + r * rowBytes;
    }

    /**
     * Whether the row products round x first, as {@link ActivationRounding} rounds the input of this type (kernels
     * that multiply in integers); {@link MatMul} always passes rounded inputs, on which this changes nothing.
     */
    boolean roundsInput() {
        return false;
    }

    /** Unchecked {@link #matvec}: arguments are already validated. */
    abstract void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1);

    /**
     * Columns [c0, c1) of row r into {@code dst[dstOff ..]}; c0 is a multiple of the block size and c1 one too or
     * {@code cols}. Unchecked.
     */
    abstract void dequantize(int r, int c0, int c1, float[] dst, int dstOff);

    private void checkRows(int r0, int r1) {
        if (r0 < 0 || r1 > rows || r0 > r1) {
            throw new IndexOutOfBoundsException("row range [" + r0 + ", " + r1 + ") outside [0, " + rows + ") of "
                    + name);
        }
    }

    @Override
    public String toString() {
        return name + " " + type + " [" + rows + ", " + cols + "]";
    }
}
