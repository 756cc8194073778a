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
            double[] in = roundedAsLlamaCpp(type, x, cols);
            for (int r = 0; r < rows; r++) {
                double[] ref = ReferenceWeights.dequantize(type, data, (long) r * cols, cols);
                for (int t = 0; t < n; t++) {
                    double sum = 0;
                    double abs = 0;
                    for (int i = 0; i < cols; i++) {
                        sum += ref[i] * in[t * cols + i];
                        abs += Math.abs(ref[i] * in[t * cols + i]);
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

    /**
     * What a product with a weight of this type multiplies: llama.cpp's 8-bit rounding of each token's input (Q8_0
     * blocks of 32 with an f16 scale amax / 127, Q8_K blocks of 256 with scale 1 / (-127 / max), ties to even),
     * written out plainly; F32 weights take the input as it is.
     */
    static double[] roundedAsLlamaCpp(GGMLType type, float[] x, int cols) {
        double[] out = new double[x.length];
        int block = type == GGMLType.F32 ? 1 : type.blockSize;
        for (int b = 0; b < x.length; b += block) {
            if (block == 1) {
                out[b] = x[b];
                continue;
            }
            float amax = 0;
            float max = 0;
            for (int i = b; i < b + block; i++) {
                if (Math.abs(x[i]) > amax) {
                    amax = Math.abs(x[i]);
                    max = x[i];
                }
            }
            float scale;
            float d;
            if (block == 32) {
                d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
                scale = amax == 0 ? 0 : 127f / amax;
            } else {
                scale = amax == 0 ? 0 : -127f / max;
                d = amax == 0 ? 0 : 1 / scale;
            }
            for (int i = b; i < b + block; i++) {
                out[i] = Math.min(127, Math.rint(x[i] * scale)) * d;
            }
        }
        return out;
    }
}
