package io.qwen4j.core.tensor;

import io.qwen4j.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every kernel of every type against the scalar reference in double, on odd sizes, with guards around outputs. */
class MatrixTest {

    /** Error bound relative to sum |w_i x_i| (float accumulation over up to ~1000 terms). */
    private static final double TOLERANCE = 1e-5;
    private static final float GUARD = -12345.5f;
    private static final int[] ROWS = {1, 3, 7, 33};
    private static final int[] TOKENS = {1, 2, 3, 5, 17};

    static Stream<Arguments> shapes() {
        List<Arguments> cases = new ArrayList<>();
        for (GGMLType type : ReferenceWeights.TYPES) {
            int[] cols = switch (type.blockSize) {
                // not multiples of the vector length, one above the F16 conversion chunk and the GEMM column panel
                case 1 -> new int[] {1, 5, 16, 17, 33, 100, 1030};
                case 32 -> new int[] {32, 64, 96, 544};
                default -> new int[] {256, 512, 768};
            };
            for (int r : ROWS) {
                for (int c : cols) {
                    cases.add(Arguments.of(type, r, c));
                }
            }
        }
        return cases.stream();
    }

    /**
     * A weight of the given type with its reference values in double, [rows][cols], and the magnitudes of the terms
     * each value is made of (a float kernel's rounding error is relative to those).
     */
    private record Weight(Matrix matrix, Matrix packed, double[][] ref, double[][] magnitude) {

        /** The stored layout and, where the type has one, the interleaved layout the forward pass uses. */
        List<Matrix> layouts() {
            return packed.getClass() == matrix.getClass() ? List.of(matrix) : List.of(matrix, packed);
        }
    }

    private static Weight weight(GGMLType type, int rows, int cols, long seed) {
        return weight(type, ReferenceWeights.random(type, (long) rows * cols, seed), rows, cols);
    }

    private static Weight weight(GGMLType type, MemorySegment data, int rows, int cols) {
        Tensor t = new Tensor("w", type, new long[] {rows, cols}, data);
        double[][] ref = new double[rows][];
        double[][] magnitude = new double[rows][];
        for (int r = 0; r < rows; r++) {
            ref[r] = ReferenceWeights.dequantize(type, data, (long) r * cols, cols);
            magnitude[r] = ReferenceWeights.magnitudes(type, data, (long) r * cols, cols);
        }
        return new Weight(Matrix.of(t), Matrix.packed(t), ref, magnitude);
    }

    /** Random activations; everything outside [off, off + n) is NaN so that an overread poisons the result. */
    private static float[] activations(int length, int off, int n, Random rnd) {
        float[] x = new float[length];
        Arrays.fill(x, Float.NaN);
        for (int i = off; i < off + n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    private static void assertDot(Weight w, int r, float[] x, int xOff, float got, String what) {
        double[] ref = w.ref()[r];
        double[] magnitude = w.magnitude()[r];
        double sum = 0;
        double abs = 0;
        for (int i = 0; i < ref.length; i++) {
            sum += ref[i] * x[xOff + i];
            abs += Math.abs(magnitude[i] * x[xOff + i]);
        }
        double err = Math.abs(got - sum) / (abs + 1e-30);
        if (!(err <= TOLERANCE)) {
            fail(what + ": got " + got + ", reference " + sum + ", normalised error " + err);
        }
    }

    /**
     * x as the matrix multiplies it: kernels that multiply in integers round each token's columns as MatMul rounds
     * every input of a quantised product (on an already rounded input that changes nothing).
     */
    private static float[] input(Matrix m, float[] x, int xOff, int xStride, int n) {
        if (!m.roundsInput()) {
            return x;
        }
        float[] rounded = x.clone();
        for (int t = 0; t < n; t++) {
            ActivationRounding.round(ActivationRounding.kindFor(m.type()), x, xOff + t * xStride, m.cols(), rounded);
        }
        return rounded;
    }

    private static void assertGuards(float[] out, int from, int to, String what) {
        for (int i = 0; i < out.length; i++) {
            if ((i < from || i >= to) && out[i] != GUARD) {
                fail(what + ": wrote out[" + i + "] outside [" + from + ", " + to + ")");
            }
        }
    }

    @ParameterizedTest(name = "{0} [{1}, {2}]")
    @MethodSource("shapes")
    void matvecMatchesReference(GGMLType type, int rows, int cols) {
        Weight w = weight(type, rows, cols, 31L * rows + cols);
        Random rnd = new Random(7);
        int xOff = 5;
        float[] raw = activations(xOff + cols + 4, xOff, cols, rnd);
        int[][] ranges = {{0, rows}, {rows / 3, rows - rows / 3}, {rows - 1, rows}};
        for (Matrix m : w.layouts()) {
            float[] x = input(m, raw, xOff, 0, 1);
            for (int[] range : ranges) {
                int outOff = 3;
                float[] out = new float[outOff + rows + 3];
                Arrays.fill(out, GUARD);
                m.matvec(x, xOff, out, outOff, range[0], range[1]);
                String what = m.getClass().getSimpleName() + " matvec";
                for (int r = range[0]; r < range[1]; r++) {
                    assertDot(w, r, x, xOff, out[outOff + r], what + " row " + r);
                }
                assertGuards(out, outOff + range[0], outOff + range[1], what + " " + Arrays.toString(range));
            }
        }
    }

    /** Row ranges long enough for the kernels' many-row paths (Q8_0 permutes x once from 64 rows on). */
    @ParameterizedTest
    @MethodSource("largeShapes")
    void matvecOverManyRows(GGMLType type, int cols) {
        Weight w = weight(type, 300, cols, 97);
        Random rnd = new Random(9);
        int xOff = 3;
        float[] raw = activations(xOff + cols + 2, xOff, cols, rnd);
        for (Matrix m : w.layouts()) {
            float[] x = input(m, raw, xOff, 0, 1);
            String what = m.getClass().getSimpleName() + " matvec";
            for (int[] range : new int[][] {{0, 300}, {1, 299}, {100, 163}, {100, 164}}) {
                float[] out = new float[300 + 2];
                Arrays.fill(out, GUARD);
                m.matvec(x, xOff, out, 1, range[0], range[1]);
                for (int r = range[0]; r < range[1]; r++) {
                    assertDot(w, r, x, xOff, out[1 + r], what + " row " + r + " of " + Arrays.toString(range));
                }
                assertGuards(out, 1 + range[0], 1 + range[1], what + " " + Arrays.toString(range));
            }
        }
    }

    @ParameterizedTest(name = "{0} [{1}, {2}]")
    @MethodSource("shapes")
    void matmulMatchesReference(GGMLType type, int rows, int cols) {
        Weight w = weight(type, rows, cols, 17L * rows + cols);
        for (Matrix m : w.layouts()) {
            for (int n : TOKENS) {
                checkMatmul(w, m, n, 0, rows, new Random(n));
                checkMatmul(w, m, n, rows / 2, rows, new Random(n + 100));
            }
        }
    }

    /** Several row panels and column panels (with a column tail) in one call. */
    @ParameterizedTest
    @MethodSource("largeShapes")
    void matmulSpanningPanels(GGMLType type, int cols) {
        Weight w = weight(type, 300, cols, 99);
        for (Matrix m : w.layouts()) {
            checkMatmul(w, m, 6, 1, 299, new Random(3));
            checkMatmul(w, m, 20, 16, 300, new Random(4));
        }
    }

    static Stream<Arguments> largeShapes() {
        return Stream.of(Arguments.of(GGMLType.F32, 1030), Arguments.of(GGMLType.Q8_0, 1056),
                Arguments.of(GGMLType.Q5_1, 1056), Arguments.of(GGMLType.Q2_K, 1280), Arguments.of(GGMLType.Q3_K, 1280),
                Arguments.of(GGMLType.Q4_K, 1280), Arguments.of(GGMLType.Q5_K, 1280), Arguments.of(GGMLType.Q6_K, 1280));
    }

    private static void checkMatmul(Weight w, Matrix m, int n, int r0, int r1, Random rnd) {
        int rows = m.rows();
        int cols = m.cols();
        int xStride = cols + 3;
        int outStride = rows + 2;
        float[] x = new float[n * xStride];
        Arrays.fill(x, Float.NaN);
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < cols; i++) {
                x[t * xStride + i] = (float) rnd.nextGaussian();
            }
        }
        x = input(m, x, 0, xStride, n);
        float[] out = new float[n * outStride + 1];
        Arrays.fill(out, GUARD);
        m.matmul(x, xStride, n, out, outStride, r0, r1);
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                int i = t * outStride + r;
                String what = m.type() + " " + m.getClass().getSimpleName() + " matmul n=" + n + " token " + t + " row " + r;
                if (r >= r0 && r < r1) {
                    assertDot(w, r, x, t * xStride, out[i], what);
                } else {
                    assertEquals(GUARD, out[i], what + " is outside [" + r0 + ", " + r1 + ") but was written");
                }
            }
            if (t * outStride + rows + 1 < out.length) {
                assertEquals(GUARD, out[t * outStride + rows], "stride padding written");
            }
        }
        assertEquals(GUARD, out[out.length - 1], "past the last token written");
    }

    @ParameterizedTest(name = "{0} [{1}, {2}]")
    @MethodSource("shapes")
    void dequantizeRowMatchesReference(GGMLType type, int rows, int cols) {
        Weight w = weight(type, rows, cols, 5L * rows + cols);
        float[] dst = new float[cols + 4];
        for (Matrix m : w.layouts()) {
            for (int r = 0; r < rows; r++) {
                Arrays.fill(dst, GUARD);
                m.dequantizeRow(r, dst, 2);
                for (int i = 0; i < cols; i++) {
                    double ref = w.ref()[r][i];
                    // a few float roundings of the terms (d * scale * q, dmin * m) at most
                    if (Math.abs(dst[2 + i] - ref) > 2.5e-7 * w.magnitude()[r][i]) {
                        fail(type + " row " + r + " col " + i + ": got " + dst[2 + i] + ", reference " + ref);
                    }
                }
                assertGuards(dst, 2, 2 + cols, type + " dequantizeRow");
            }
        }
    }

    @Test
    void referenceSeesTheQuantisedValues() {
        // the reference itself, on hand-made blocks: Q8_0 d=0.5, qs = -3, 7; Q4_0 d=2, qs[0] = 0x9F -> 15-8, 9-8
        MemorySegment q8 = Arena.ofAuto().allocate(34);
        q8.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 0, Float.floatToFloat16(0.5f));
        q8.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) -3);
        q8.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 3, (byte) 7);
        double[] v8 = ReferenceWeights.dequantize(GGMLType.Q8_0, q8, 0, 32);
        assertEquals(-1.5, v8[0]);
        assertEquals(3.5, v8[1]);
        float[] k8 = new float[32];
        Matrix.of(new Tensor("q8", GGMLType.Q8_0, new long[] {1, 32}, q8)).dequantizeRow(0, k8, 0);
        assertEquals(-1.5f, k8[0]);
        assertEquals(3.5f, k8[1]);
        assertEquals(0f, k8[2]);

        MemorySegment q4 = Arena.ofAuto().allocate(18);
        q4.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 0, Float.floatToFloat16(2f));
        q4.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) 0x9F);
        float[] k4 = new float[32];
        Matrix.of(new Tensor("q4", GGMLType.Q4_0, new long[] {1, 32}, q4)).dequantizeRow(0, k4, 0);
        assertEquals(14f, k4[0]);
        assertEquals(2f, k4[16]);
        assertEquals(-16f, k4[1]);

        // Q6_K: d=1, scales[2]=3; ql[32] = 0x05, qh[0] = 0b1000 -> value 32 = (5 | 2 << 4) - 32 = 5, times 3
        MemorySegment q6 = Arena.ofAuto().allocate(210);
        q6.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 208, Float.floatToFloat16(1f));
        for (int s = 0; s < 16; s++) {
            q6.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 192 + s, (byte) 1);
        }
        q6.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 192 + 2, (byte) 3);
        q6.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 32, (byte) 0x05);
        q6.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 128, (byte) 0b1000);
        float[] k6 = new float[256];
        Matrix.of(new Tensor("q6", GGMLType.Q6_K, new long[] {1, 256}, q6)).dequantizeRow(0, k6, 0);
        assertEquals(15f, k6[32]);
        assertEquals(-32f, k6[0]);
        assertEquals(15.0, ReferenceWeights.dequantize(GGMLType.Q6_K, q6, 32, 1)[0]);
    }

    @ParameterizedTest
    @MethodSource("types")
    void expertViewReadsItsOwnSlice(GGMLType type) {
        int experts = 3;
        int rows = 5;
        int cols = type.blockSize == 256 ? 256 : 64;
        MemorySegment data = ReferenceWeights.random(type, (long) experts * rows * cols, 11);
        Tensor t = new Tensor("blk.0.ffn_up_exps.weight", type, new long[] {experts, rows, cols}, data);
        float[] x = activations(cols, 0, cols, new Random(2));
        Matrix[] packed = Matrix.packedExperts(t);
        assertEquals(experts, packed.length);
        for (int view = 0; view < 2 * experts; view++) {
            int e = view % experts;
            Matrix m = view < experts ? Matrix.expert(t, e) : packed[e];
            assertEquals(rows, m.rows());
            assertEquals(cols, m.cols());
            assertEquals(type, m.type());
            assertTrue(m.name().contains("blk.0.ffn_up_exps.weight"), m.name());
            float[] out = new float[rows];
            float[] in = input(m, x, 0, 0, 1);
            m.matvec(in, 0, out, 0, 0, rows);
            Weight ew = weight(type, data.asSlice(type.byteSize((long) e * rows * cols), type.byteSize(
                    (long) rows * cols)), rows, cols);
            for (int r = 0; r < rows; r++) {
                assertDot(ew, r, in, 0, out[r], type + " expert " + e + " row " + r);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Matrix.expert(t, 3));
        assertThrows(IllegalArgumentException.class, () -> Matrix.expert(t, -1));
    }

    static Stream<GGMLType> types() {
        return Arrays.stream(ReferenceWeights.TYPES);
    }

    @Test
    void accessorsDescribeTheTensor() {
        Matrix m = Matrix.of(new Tensor("output.weight", GGMLType.Q8_0, new long[] {7, 64},
                ReferenceWeights.random(GGMLType.Q8_0, 7 * 64, 1)));
        assertEquals(7, m.rows());
        assertEquals(64, m.cols());
        assertEquals(GGMLType.Q8_0, m.type());
        assertEquals("output.weight", m.name());
    }

    @Test
    void unsupportedTypeNamesTheTensor() {
        Tensor t = new Tensor("blk.3.ffn_down.weight", GGMLType.Q8_K, new long[] {2, 256},
                Arena.ofAuto().allocate(GGMLType.Q8_K.byteSize(512)));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Matrix.of(t));
        assertTrue(e.getMessage().contains("blk.3.ffn_down.weight") && e.getMessage().contains("Q8_K"),
                e.getMessage());
    }

    @Test
    void badShapesAreRejectedWithTheTensorName() {
        Tensor ragged = new Tensor("ragged", GGMLType.Q8_0, new long[] {2, 40}, Arena.ofAuto().allocate(100));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Matrix.of(ragged));
        assertTrue(e.getMessage().contains("ragged") && e.getMessage().contains("block size 32"), e.getMessage());

        Tensor shortData = new Tensor("short", GGMLType.F32, new long[] {2, 4}, Arena.ofAuto().allocate(31));
        e = assertThrows(ModelFormatException.class, () -> Matrix.of(shortData));
        assertTrue(e.getMessage().contains("short") && e.getMessage().contains("31 bytes"), e.getMessage());

        Tensor vector = new Tensor("norm", GGMLType.F32, new long[] {4}, Arena.ofAuto().allocate(16));
        e = assertThrows(ModelFormatException.class, () -> Matrix.of(vector));
        assertTrue(e.getMessage().contains("norm"), e.getMessage());
        assertThrows(ModelFormatException.class, () -> Matrix.expert(vector, 0));
    }

    @Test
    void outOfRangeArgumentsAreRejected() {
        Matrix m = Matrix.of(new Tensor("w", GGMLType.F32, new long[] {4, 8},
                ReferenceWeights.random(GGMLType.F32, 32, 1)));
        float[] x = new float[8];
        float[] out = new float[4];
        assertThrows(IndexOutOfBoundsException.class, () -> m.matvec(x, 0, out, 0, 0, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> m.matvec(x, 0, out, 0, 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> m.matvec(x, 1, out, 0, 0, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> m.matvec(x, 0, out, 1, 0, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> m.matmul(x, 8, 2, new float[8], 4, 0, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> m.matmul(new float[16], 8, 2, out, 4, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> m.matmul(new float[16], 8, 2, new float[8], 3, 0, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> m.dequantizeRow(4, new float[8], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> m.dequantizeRow(0, new float[8], 1));
    }
}
