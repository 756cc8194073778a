package io.qwen4j.core.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

class MatMulTest {

    @AfterEach
    void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 6, 17})
    void matchesReferenceOverThreads(int n) {
        Parallel.setThreads(3);
        for (GGMLType type : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q6_K, GGMLType.F32}) {
            int rows = 101; // not a multiple of the row block
            int cols = type.blockSize == 256 ? 512 : 96;
            MemorySegment data = ReferenceWeights.random(type, (long) rows * cols, n);
            Matrix w = Matrix.of(new Tensor("w", type, new long[] {rows, cols}, data));
            Random rnd = new Random(n);
            float[] x = new float[n * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            float[] out = new float[n * rows];
            MatMul.apply(w, x, n, out);
            for (int r = 0; r < rows; r++) {
                double[] ref = ReferenceWeights.dequantize(type, data, (long) r * cols, cols);
                for (int t = 0; t < n; t++) {
                    double sum = 0;
                    double abs = 0;
                    for (int i = 0; i < cols; i++) {
                        sum += ref[i] * x[t * cols + i];
                        abs += Math.abs(ref[i] * x[t * cols + i]);
                    }
                    float got = out[t * rows + r];
                    if (!(Math.abs(got - sum) <= 1e-5 * abs)) {
                        fail(type + " token " + t + " row " + r + ": got " + got + ", reference " + sum);
                    }
                }
            }
            assertThrows(IllegalArgumentException.class, () -> MatMul.apply(w, x, n, new float[n * rows - 1]));
            assertThrows(IllegalArgumentException.class, () -> MatMul.apply(w, new float[n * cols - 1], n, out));
        }
    }
}
