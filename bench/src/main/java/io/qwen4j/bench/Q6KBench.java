package io.qwen4j.bench;

import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Matrix;
import io.qwen4j.core.tensor.Quantizer;
import io.qwen4j.core.tensor.Tensor;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Q6_K decode kernel, current ({@link Matrix#matvec}) against a copy of the previous one, single thread, on the
 * KernelBenchmark matrix shape. {@code matvec*}: all rows in one call; {@code runs16*}: 16 rows per call, as the
 * few-token (batched decoding) path calls it, where per-call work such as the activation permutation counts more.
 * The machine is shared with other jobs, so {@link #main} also offers an interleaved A/B run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class Q6KBench {

    @Param({"3072"})
    public int rows;

    @Param({"1024"})
    public int cols;

    private MemorySegment data;
    private Matrix matrix;
    private float[] x;
    private float[] out;
    private long bytes;
    private long rowBytes;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextDouble() * 2 - 1) * 0.1f;
        }
        long n = (long) rows * cols;
        data = Arena.ofAuto().allocate(GGMLType.Q6_K.byteSize(n), 64);
        Quantizer.quantize(GGMLType.Q6_K, w, 0, (int) n, data, 0);
        matrix = Matrix.of(new Tensor("q6", GGMLType.Q6_K, new long[] {rows, cols}, data));
        bytes = data.byteSize();
        rowBytes = GGMLType.Q6_K.byteSize(cols);
        x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) random.nextGaussian();
        }
        out = new float[rows];
        float[] a = new float[rows];
        float[] b = new float[rows];
        Old.dotRows(data, 0, rowBytes, cols, x, 0, a, 0, rows);
        matrix.matvec(x, 0, b, 0, 0, rows);
        for (int r = 0; r < rows; r++) {
            if (Math.abs(a[r] - b[r]) > 1e-4 * (Math.abs(a[r]) + 1)) {
                throw new AssertionError("row " + r + ": old " + a[r] + ", current " + b[r]);
            }
        }
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long weightBytes;
    }

    @Benchmark
    public float[] matvecOld(Counters c) {
        Old.dotRows(data, 0, rowBytes, cols, x, 0, out, 0, rows);
        c.weightBytes += bytes;
        return out;
    }

    @Benchmark
    public float[] matvecNew(Counters c) {
        matrix.matvec(x, 0, out, 0, 0, rows);
        c.weightBytes += bytes;
        return out;
    }

    @Benchmark
    public float[] runs16Old(Counters c) {
        for (int r = 0; r < rows; r += 16) {
            Old.dotRows(data, 0, rowBytes, cols, x, 0, out, r, Math.min(rows, r + 16));
        }
        c.weightBytes += bytes;
        return out;
    }

    @Benchmark
    public float[] runs16New(Counters c) {
        for (int r = 0; r < rows; r += 16) {
            matrix.matvec(x, 0, out, 0, r, Math.min(rows, r + 16));
        }
        c.weightBytes += bytes;
        return out;
    }

    /**
     * Interleaved A/B outside JMH: 150 ms of each benchmark in turn per round; prints the bytes each allocates per
     * call (a vector op that C2 left as a call is boxed, so it shows up here), then the median GB/s and the median
     * per-round ratio new / old. Args: rounds, rows, cols.
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Q6KBench b = new Q6KBench();
        b.rows = args.length > 1 ? Integer.parseInt(args[1]) : 3072;
        b.cols = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        b.setUp();
        Counters counters = new Counters();
        Runnable[] kernels = {
            () -> b.matvecOld(counters), () -> b.matvecNew(counters),
            () -> b.runs16Old(counters), () -> b.runs16New(counters),
        };
        String[] names = {"matvec old", "matvec new", "runs16 old", "runs16 new"};
        double[][] gbs = new double[kernels.length][rounds];
        for (int round = -5; round < rounds; round++) {
            for (int k = 0; k < kernels.length; k++) {
                long t0 = System.nanoTime();
                int n = 0;
                while (System.nanoTime() - t0 < 150_000_000L) {
                    kernels[k].run();
                    n++;
                }
                double s = (System.nanoTime() - t0) * 1e-9;
                if (round >= 0) {
                    gbs[k][round] = n * (double) b.bytes / s / 1e9;
                }
            }
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int k = 0; k < kernels.length; k++) {
            long a0 = threads.getCurrentThreadAllocatedBytes();
            kernels[k].run();
            long allocated = threads.getCurrentThreadAllocatedBytes() - a0;
            double[] ratio = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                ratio[i] = gbs[k][i] / gbs[k & ~1][i];
            }
            System.out.printf("%-11s median %.2f GB/s, max %.2f GB/s, new / old %.3f, allocates %d bytes per call%n",
                    names[k], median(gbs[k]), Arrays.stream(gbs[k]).max().orElse(0), median(ratio), allocated);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final VectorSpecies<Float> SF = pick();
    static final int SL = SF.length();

    private static VectorSpecies<Float> pick() {
        VectorSpecies<Float> p = FloatVector.SPECIES_PREFERRED;
        return p.length() > 16 ? FloatVector.SPECIES_512 : p.length() < 4 ? FloatVector.SPECIES_128 : p;
    }

    /** The Q6_KMatrix decode kernel before the permuted-activation rewrite, as it was (the baseline). */
    static final class Old {
        private static final VectorSpecies<Float> F = SF;
        private static final int L = SL;
        private static final int BLOCK = 256;
        private static final int BYTES = 210;
        private static final int QH = 128;
        private static final int SCALES = 192;
        private static final int D = 208;
        private static final VectorSpecies<Byte> QB = L >= 8 ? ByteVector.SPECIES_256 : ByteVector.SPECIES_128;
        private static final int QB_LEN = QB.length();
        private static final int PARTS = QB_LEN / L;

        static void dotRows(MemorySegment data, long base, long rowBytes, int cols, float[] x, int xOff, float[] out,
                int r0, int r1) {
            for (int r = r0; r < r1; r++) {
                out[r] = dotRow(data, base + r * rowBytes, cols, x, xOff);
            }
        }

        private static float dotRow(MemorySegment data, long off, int cols, float[] x, int xOff) {
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = acc0;
            for (int blk = 0, blocks = cols / BLOCK; blk < blocks; blk++, off += BYTES) {
                float d = Float.float16ToFloat(data.get(SHORT, off + D));
                for (int h = 0; h < 2; h++) {
                    long qh = off + QH + 32L * h;
                    long scales = data.get(LONG, off + SCALES + 8L * h);
                    for (int k = 0; k < 4; k++) {
                        long ql = off + 64L * h + 32L * (k & 1);
                        int xk = xOff + blk * BLOCK + 128 * h + 32 * k;
                        for (int c = 0; c < 32; c += QB_LEN) {
                            ByteVector q = quant(data, ql + c, qh + c, k);
                            for (int p = 0; p < PARTS; p += 2) {
                                int l = c + p * L;
                                float s0 = d * (byte) (scales >>> 8 * (2 * k + l / 16));
                                float s1 = d * (byte) (scales >>> 8 * (2 * k + (l + L) / 16));
                                acc0 = toFloat(q, p).mul(FloatVector.fromArray(F, x, xk + l))
                                        .fma(FloatVector.broadcast(F, s0), acc0);
                                acc1 = toFloat(q, p + 1).mul(FloatVector.fromArray(F, x, xk + l + L))
                                        .fma(FloatVector.broadcast(F, s1), acc1);
                            }
                        }
                    }
                }
            }
            return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }

        private static ByteVector quant(MemorySegment data, long ql, long qh, int k) {
            IntVector low = ByteVector.fromMemorySegment(QB, data, ql, LE).reinterpretAsInts()
                    .lanewise(VectorOperators.LSHR, 4 * (k >> 1)).and(0x0F0F0F0F);
            IntVector high = ByteVector.fromMemorySegment(QB, data, qh, LE).reinterpretAsInts()
                    .lanewise(VectorOperators.LSHR, 2 * k).and(0x03030303).lanewise(VectorOperators.LSHL, 4);
            return low.or(high).reinterpretAsBytes().sub((byte) 32);
        }

        private static FloatVector toFloat(ByteVector q, int part) {
            return (FloatVector) q.convertShape(VectorOperators.B2F, F, part);
        }
    }
}
