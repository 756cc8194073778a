package io.qwen4j.core.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A quantised weight repacked at load time so that a group of consecutive rows is stored together, block by block,
 * with the same element of every row side by side: one vector load then holds one column (or a few) of many of
 * the group's rows. A row group is multiplied by broadcasting the activations against their columns; the
 * accumulators are the rows' outputs (or pairs of lanes per row, added once per block), so there are no lane
 * reductions and no per-row scalar work in the loop, and the per-block scales of the group load as vectors.
 * llama.cpp repacks its 4-bit types on x86 for the same reason.
 * <p>
 * A group has {@link #FLOAT_ROWS} rows (float lanes) or {@link #SHORT_ROWS} (16-bit lanes, for the kernels that
 * multiply in integers). Row groups are padded with zero rows; {@link #data} holds {@link #base} bytes of other
 * experts first. Subclasses give the block layout of one group.
 */
abstract class InterleavedMatrix extends Matrix {

    /** Rows per group of the float kernels: one per float lane. */
    static final int FLOAT_ROWS = Simd.L;
    /** Rows per group of the 16-bit integer kernels: one per short lane, which is also the prefill panel's height. */
    static final int SHORT_ROWS = 2 * Simd.L;

    /** Rows per group. */
    final int groupRows;
    /** Bytes of one group over all columns. */
    final long groupBytes;

    InterleavedMatrix(String name, GGMLType type, int rows, int cols, MemorySegment packed, long base, int groupRows,
                      long groupBytes) {
        super(name, type, rows, cols, packed, base);
        this.groupRows = groupRows;
        this.groupBytes = groupBytes;
    }

    /**
     * The interleaved form of {@code views}, the experts stacked {@code [rows][cols]} in {@code data} (one view for
     * a 2-D weight), repacked into new memory; null where their type has no interleaved form.
     */
    static Matrix[] pack(Matrix[] views, MemorySegment data) {
        return switch (views[0].type()) {
            case Q4_0 -> pack(views, data, SHORT_ROWS, Q4_0Interleaved.groupBytes(views[0].cols()),
                    Q4_0Interleaved::repack, Q4_0Interleaved::new);
            case Q4_K -> pack(views, data, SHORT_ROWS, Q4_KInterleaved.groupBytes(views[0].cols()),
                    Q4_KInterleaved::repack, Q4_KInterleaved::new);
            case Q5_K -> pack(views, data, SHORT_ROWS, Q5_KInterleaved.groupBytes(views[0].cols()),
                    Q5_KInterleaved::repack, Q5_KInterleaved::new);
            case Q6_K -> pack(views, data, SHORT_ROWS, Q6_KInterleaved.groupBytes(views[0].cols()),
                    Q6_KInterleaved::repack, Q6_KInterleaved::new);
            case Q8_0 -> pack(views, data, FLOAT_ROWS, Q8_0Interleaved.groupBytes(views[0].cols()),
                    Q8_0Interleaved::repack, Q8_0Interleaved::new);
            default -> null;
        };
    }

    /** A type's repacking of stacked {@code [experts][rows][cols]} matrices. */
    @FunctionalInterface
    interface Repack {
        MemorySegment of(MemorySegment src, int experts, int rows, int cols);
    }

    /** A type's view of one expert of its repacked data. */
    @FunctionalInterface
    interface View {
        InterleavedMatrix of(String name, int rows, int cols, MemorySegment packed, long base);
    }

    private static Matrix[] pack(Matrix[] views, MemorySegment data, int groupRows, long groupBytes, Repack repack,
                                 View view) {
        int rows = views[0].rows();
        int cols = views[0].cols();
        MemorySegment packed = repack.of(data, views.length, rows, cols);
        long expertBytes = groups(rows, groupRows) * groupBytes;
        Matrix[] out = new Matrix[views.length];
        for (int e = 0; e < views.length; e++) {
            out[e] = view.of(views[e].name(), rows, cols, packed, e * expertBytes);
        }
        return out;
    }

    /** Lays out one row group from its rows as stored (zero rows pad the last group), both on the heap. */
    @FunctionalInterface
    interface GroupLayout {
        void pack(byte[] rows, byte[] group);
    }

    /**
     * The interleaved form of {@code experts} stacked {@code [rows][...]} matrices of rowBytes each at src: group by
     * group, its rows copied to the heap, laid out there and copied out, in parallel.
     */
    static MemorySegment repack(MemorySegment src, int experts, int rows, long rowBytes, int groupRows,
                                long groupBytes, GroupLayout layout) {
        long groups = groups(rows, groupRows);
        MemorySegment dst = PackedMemory.allocate(experts * groups * groupBytes);
        Parallel.parallelFor(Math.toIntExact(experts * groups), (a, b) -> {
            byte[] in = new byte[Math.toIntExact(groupRows * rowBytes)];
            byte[] out = new byte[Math.toIntExact(groupBytes)];
            for (int eg = a; eg < b; eg++) {
                long e = eg / groups;
                long g = eg % groups;
                int n = (int) Math.min(groupRows, rows - g * groupRows);
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, (e * rows + g * groupRows) * rowBytes, in, 0,
                        (int) (n * rowBytes));
                java.util.Arrays.fill(in, (int) (n * rowBytes), in.length, (byte) 0);
                layout.pack(in, out);
                MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, eg * groupBytes, out.length);
            }
        });
        return dst;
    }

    /** Groups of groupRows rows in a matrix with {@code rows} rows. */
    static long groups(long rows, int groupRows) {
        return (rows + groupRows - 1) / groupRows;
    }

    /** Byte offset of row group g in {@link #data}. */
    final long groupOffset(int g) {
        return base + g * groupBytes;
    }

    /**
     * One product's input as the kernels read it, prepared once for all row groups and threads: the activations
     * themselves (float kernels), or rounded to 8-bit integers in pairs of columns (integer kernels) with per-block
     * values (scales of x, sums). Written by one thread before a parallel product, then only read.
     */
    static final class Input {
        float[] x;
        int xOff;
        private int[] pairs = new int[0];
        private int[] biases = new int[0];
        private float[] blocks = new float[0];
        private int[] ints = new int[0];
        private float[] floats = new float[0];

        /** At least n floats for a rounded copy of x (float kernels). */
        float[] floats(int n) {
            if (floats.length < n) {
                floats = new float[n];
            }
            return floats;
        }

        /** At least n ints: the 8-bit integers of columns 2k (low 16 bits) and 2k + 1 (high 16 bits) in int k. */
        int[] pairs(int n) {
            if (pairs.length < n) {
                pairs = new int[n];
            }
            return pairs;
        }

        int[] pairs() {
            return pairs;
        }

        /** At least n ints of per-group integer values (Q6_K's biases for its unsigned quants). */
        int[] biases(int n) {
            if (biases.length < n) {
                biases = new int[n];
            }
            return biases;
        }

        int[] biases() {
            return biases;
        }

        /** At least n floats of per-block values. */
        float[] blocks(int n) {
            if (blocks.length < n) {
                blocks = new float[n];
            }
            return blocks;
        }

        float[] blocks() {
            return blocks;
        }

        /** A scratch buffer of at least n ints (one block of integers while preparing). */
        int[] ints(int n) {
            if (ints.length < n) {
                ints = new int[n];
            }
            return ints;
        }
    }

    private static final ThreadLocal<Input> INPUT = ThreadLocal.withInitial(Input::new);

    @Override
    final void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        Input in = INPUT.get();
        prepare(x, xOff, in);
        dotRows(in, out, outOff, r0, r1);
    }

    /** Fills {@code in} for x: what every row group's products with {@code x[xOff ..]} share. */
    final void prepare(float[] x, int xOff, Input in) {
        in.x = x;
        in.xOff = xOff;
        prepareInput(x, xOff, in);
    }

    /** {@code out[outOff + r] = dot(row r, x)} for r in [r0, r1), with in prepared for x. */
    final void dotRows(Input in, float[] out, int outOff, int r0, int r1) {
        float[] partial = null;
        int gr = groupRows;
        for (int g = r0 / gr; g * gr < r1; g++) {
            int first = g * gr;
            if (first >= r0 && first + gr <= r1) {
                dotGroup(g, in, out, outOff + first);
            } else {
                // a range that starts or ends inside a group: the whole group, then only the asked rows
                if (partial == null) {
                    partial = new float[gr];
                }
                dotGroup(g, in, partial, 0);
                for (int r = Math.max(r0, first); r < Math.min(r1, first + gr); r++) {
                    out[outOff + r] = partial[r - first];
                }
            }
        }
    }

    /** The type's work on the activations (rounding, spreading) into {@code in}; x and xOff are already set. */
    abstract void prepareInput(float[] x, int xOff, Input in);

    /** {@code out[o + i] = dot(row g * groupRows + i, x)} for the rows of group g (padding rows give 0). */
    abstract void dotGroup(int g, Input in, float[] out, int o);

    /**
     * Columns [c0, c1) of the rows of group g as floats, column by column:
     * {@code dst[dstOff + (c - c0) * stride + i] = W[g * groupRows + i][c]}. c0 and c1 are multiples of the block
     * size. This is the prefill panel's layout ({@link Gemm}), which the interleaved data nearly has.
     */
    abstract void dequantizeGroup(int g, int c0, int c1, float[] dst, int dstOff, int stride);
}
