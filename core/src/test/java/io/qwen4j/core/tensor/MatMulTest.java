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
     * Several products in one job (a mixture of experts' decode): the same as each product on its own, for the
     * interleaved kernels and the ones that run one by one, with inputs and outputs at offsets in shared buffers.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void productsTogetherEqualProductsAlone(int n) {
        Parallel.setThreads(3);
        GGMLType[] types = {GGMLType.Q4_K, GGMLType.Q6_K, GGMLType.F32, GGMLType.Q4_0, GGMLType.Q8_0, GGMLType.Q4_K};
        int cols = 256;
        int rows = 37;
        Matrix[] w = new Matrix[types.length];
        float[][] x = new float[types.length][];
        int[] xOff = new int[types.length];
        int[] ns = new int[types.length];
        float[][] out = new float[types.length][];
        int[] outOff = new int[types.length];
        float[] shared = new float[3 + 2 * n * cols];
        float[] sharedOut = new float[types.length * n * rows + 5];
        Random rnd = new Random(n);
        for (int i = 0; i < shared.length; i++) {
            shared[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < types.length; i++) {
            MemorySegment data = ReferenceWeights.random(types[i], (long) rows * cols, 40 + i);
            w[i] = Matrix.packed(new Tensor("w" + i, types[i], new long[] {rows, cols}, data));
            x[i] = shared;
            xOff[i] = i % 2 == 0 ? 3 : 3 + n * cols; // two inputs, each shared by several products
            ns[i] = n;
            out[i] = sharedOut;
            outOff[i] = 5 + i * n * rows;
        }
        MatMul.applyAll(types.length, w, x, xOff, ns, out, outOff);
        for (int i = 0; i < types.length; i++) {
            float[] alone = new float[n * rows];
            MatMul.apply(w[i], java.util.Arrays.copyOfRange(shared, xOff[i], xOff[i] + n * cols), n, alone);
            for (int j = 0; j < alone.length; j++) {
                if (alone[j] != sharedOut[outOff[i] + j]) {
                    fail(types[i] + " product " + i + " value " + j + ": together " + sharedOut[outOff[i] + j]
                            + ", alone " + alone[j]);
                }
            }
        }
        for (int j = 0; j < 5; j++) {
            if (sharedOut[j] != 0) {
                fail("wrote before the first output offset at " + j);
            }
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

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 20})
    void productsOfOneInputEqualSeparateProducts(int n) {
        // Q4_K and Q6_K round their input the same way (Q8_K), F32 does not round it: the shared rounding must not
        // leak from one kind to the next
        int cols = 512;
        GGMLType[] types = {GGMLType.Q4_K, GGMLType.Q6_K, GGMLType.F32};
        Matrix[] w = new Matrix[3];
        for (int i = 0; i < 3; i++) {
            int rows = 40 + 8 * i;
            w[i] = Matrix.of(new Tensor("w" + i, types[i], new long[] {rows, cols},
                    ReferenceWeights.random(types[i], (long) rows * cols, 10 + i)));
        }
        Random rnd = new Random(n);
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        for (int[] order : new int[][] {{0, 1, 2}, {2, 0, 1}, {0, 2, 1}}) {
            float[][] want = new float[3][];
            float[][] got = new float[3][];
            for (int i = 0; i < 3; i++) {
                want[i] = new float[n * w[i].rows()];
                got[i] = new float[n * w[i].rows()];
                MatMul.apply(w[i], x, n, want[i]);
            }
            int a = order[0], b = order[1], c = order[2];
            MatMul.apply(x, n, w[a], got[a], w[b], got[b], w[c], got[c]);
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < want[i].length; j++) {
                    // not bit-exact: a lane reduction may add in another order once the JIT has compiled the
                    // kernel, so the same call can differ in the last bits between runs; a wrong rounding of the
                    // input moves results by far more (an 8-bit step of the input is about 1% of it)
                    if (!(Math.abs(want[i][j] - got[i][j]) <= 1e-5 * Math.max(1, Math.abs(want[i][j])))) {
                        fail(types[i] + " in order " + java.util.Arrays.toString(order) + " output " + j + ": "
                                + got[i][j] + " instead of " + want[i][j]);
                    }
                }
            }
        }
    }
}
