package io.qwen4j.core.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Both register tiles (6 and 12 tokens) whatever this machine's vector width picks, against the scalar reference:
 * token counts and row ranges leave every remainder of a tile, and the column counts span several panels.
 */
class GemmTest {

    private static final float GUARD = -7.25f;

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (int nr : new int[] {6, 12}) {
            for (int n : new int[] {2, 3, 5, 6, 7, 9, 11, 12, 13, 15, 25}) {
                cases.add(Arguments.of(nr, GGMLType.F32, n, 37, 0, 37, 100));
                cases.add(Arguments.of(nr, GGMLType.Q8_0, n, Gemm.MR * 3 + 5, 3, Gemm.MR * 3 + 2, 1088));
            }
            // several row panels, a partial last row group and a column tail
            cases.add(Arguments.of(nr, GGMLType.Q4_K, 17, 300, 1, 299, 1280));
        }
        return cases.build();
    }

    @ParameterizedTest(name = "nr={0} {1} n={2} rows={3} [{4}, {5}) cols={6}")
    @MethodSource("cases")
    void matchesReference(int nr, GGMLType type, int n, int rows, int r0, int r1, int cols) {
        MemorySegment data = ReferenceWeights.random(type, (long) rows * cols, 31L * n + rows);
        Matrix w = Matrix.of(new Tensor("w", type, new long[] {rows, cols}, data));
        int xStride = cols + 1;
        int outStride = rows + 3;
        Random rnd = new Random(n);
        float[] x = new float[n * xStride];
        Arrays.fill(x, Float.NaN);
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < cols; i++) {
                x[t * xStride + i] = (float) rnd.nextGaussian();
            }
        }
        float[] out = new float[n * outStride];
        Arrays.fill(out, GUARD);
        Gemm.matmul(w, x, xStride, n, out, outStride, r0, r1, nr);
        for (int r = 0; r < rows; r++) {
            double[] ref = ReferenceWeights.dequantize(type, data, (long) r * cols, cols);
            for (int t = 0; t < n; t++) {
                float got = out[t * outStride + r];
                if (r < r0 || r >= r1) {
                    assertEquals(GUARD, got, "row " + r + " outside the range was written");
                    continue;
                }
                double sum = 0;
                double abs = 0;
                for (int i = 0; i < cols; i++) {
                    sum += ref[i] * x[t * xStride + i];
                    abs += Math.abs(ref[i] * x[t * xStride + i]);
                }
                if (!(Math.abs(got - sum) <= 1e-5 * abs)) {
                    fail("token " + t + " row " + r + ": got " + got + ", reference " + sum);
                }
            }
        }
        for (int t = 0; t < n; t++) {
            for (int i = rows; i < outStride; i++) {
                assertEquals(GUARD, out[t * outStride + i], "stride padding written");
            }
        }
    }
}
