package io.qwen4j.bench;

import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.MatMul;
import io.qwen4j.core.tensor.Matrix;
import io.qwen4j.core.tensor.Parallel;
import io.qwen4j.core.tensor.Quantizer;
import io.qwen4j.core.tensor.Tensor;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Matrix-vector (decode) and matrix-matrix (prefill) products per weight type, on a qwen3-0.6b FFN-sized matrix.
 * The {@code weightBytes} counter is the weight bytes read per second (matvec: compare with the machine's memory
 * bandwidth); {@code flops} counts 2 * rows * cols * tokens per second (matmul).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class KernelBenchmark {

    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    public String type;

    @Param({"3072"})
    public int rows;

    @Param({"1024"})
    public int cols;

    @Param({"2"})
    public int threads;

    /** The stored layout, or the forward pass's ({@link Matrix#packed}: interleaved where the type has one). */
    @Param({"packed", "stored"})
    public String layout;

    /** Tokens in the prefill product. */
    @Param({"64"})
    public int tokens;

    private Matrix matrix;
    private float[] x;
    private float[] xs;
    private float[] out;
    private float[] outs;
    private long bytes;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        GGMLType t = GGMLType.valueOf(type);
        SplittableRandom random = new SplittableRandom(7);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextDouble() * 2 - 1) * 0.1f;
        }
        long n = (long) rows * cols;
        MemorySegment data = Arena.ofAuto().allocate(t.byteSize(n), 64);
        Quantizer.quantize(t, w, 0, (int) n, data, 0);
        bytes = data.byteSize();
        Tensor tensor = new Tensor(type, t, new long[] {rows, cols}, data);
        matrix = layout.equals("packed") ? Matrix.packed(tensor) : Matrix.of(tensor);
        x = new float[cols];
        xs = new float[tokens * cols];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) random.nextGaussian();
        }
        System.arraycopy(xs, 0, x, 0, cols);
        out = new float[rows];
        outs = new float[tokens * rows];
    }

    /** Per-iteration counters JMH reports as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long weightBytes;
        public long flops;
    }

    @Benchmark
    public float[] matvec(Counters c) {
        MatMul.apply(matrix, x, 1, out);
        c.weightBytes += bytes;
        return out;
    }

    @Benchmark
    public float[] matmul(Counters c) {
        MatMul.apply(matrix, xs, tokens, outs);
        c.flops += 2L * rows * cols * tokens;
        return outs;
    }
}
