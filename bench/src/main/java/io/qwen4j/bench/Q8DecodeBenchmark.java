package io.qwen4j.bench;

import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Matrix;
import io.qwen4j.core.tensor.Parallel;
import io.qwen4j.core.tensor.Quantizer;
import io.qwen4j.core.tensor.Tensor;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Q8_0 matrix-vector kernel variants side by side in one harness, so that old and new run under the same load on a
 * shared machine: {@code old} is the kernel before this rewrite, {@code core} the kernel in core now (through
 * {@link Matrix#matvec}), the others candidates it was picked from: {@code rows2} two rows per pass sharing x,
 * {@code perm} the permuted whole-block loads with two rows per pass, {@code perm1} the same one row at a time. The
 * candidates are private copies (the real kernel is package-private in core); {@link #setUp} checks every variant
 * against {@code old}. JMH: {@code java -jar benchmarks.jar Q8DecodeBenchmark -p variant=old,core}; interleaved
 * without JMH: {@code java --add-modules jdk.incubator.vector -cp benchmarks.jar io.qwen4j.bench.Q8DecodeBenchmark
 * 3072 1024 20 old core}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class Q8DecodeBenchmark {

    @Param({"old", "rows2"})
    public String variant;

    @Param({"3072"})
    public int rows;

    @Param({"1024"})
    public int cols;

    @Param({"1"})
    public int threads;

    private Kernel kernel;
    private float[] x;
    private float[] out;
    private long bytes;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        SplittableRandom random = new SplittableRandom(7);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextDouble() * 2 - 1) * 0.1f;
        }
        long n = (long) rows * cols;
        MemorySegment data = Arena.ofAuto().allocate(GGMLType.Q8_0.byteSize(n), 64);
        Quantizer.quantize(GGMLType.Q8_0, w, 0, (int) n, data, 0);
        bytes = data.byteSize();
        x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) random.nextGaussian();
        }
        out = new float[rows];
        kernel = kernel(variant, data, rows, cols);
        float[] ref = new float[rows];
        kernel("old", data, rows, cols).dotRows(x, 0, ref, 0, 0, rows);
        kernel.dotRows(x, 0, out, 0, 0, rows);
        for (int r = 0; r < rows; r++) {
            if (Math.abs(out[r] - ref[r]) > 1e-4f * (1 + Math.abs(ref[r]))) {
                throw new IllegalStateException(variant + " row " + r + ": " + out[r] + " vs old " + ref[r]);
            }
        }
    }

    private static Kernel kernel(String variant, MemorySegment data, int rows, int cols) {
        return switch (variant) {
            case "old" -> new Old(data, rows, cols);
            case "core" -> new Core(data, rows, cols);
            case "rows2" -> new Rows2(data, rows, cols);
            case "perm" -> new Perm(data, rows, cols, false);
            case "perm1" -> new Perm(data, rows, cols, true);
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        };
    }

    /**
     * Interleaved A/B timing without JMH: each round runs every variant for 50 ms of thread CPU time in turn on one thread and
     * records its weight GB/s, so load from other processes hits all variants alike; prints the best and the median
     * per variant. Args: rows cols rounds variant...
     */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int rows = Integer.parseInt(args[0]);
        int cols = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        String[] names = java.util.Arrays.copyOfRange(args, 3, args.length);
        Q8DecodeBenchmark[] benches = new Q8DecodeBenchmark[names.length];
        for (int v = 0; v < names.length; v++) {
            benches[v] = new Q8DecodeBenchmark();
            benches[v].variant = names[v];
            benches[v].rows = rows;
            benches[v].cols = cols;
            benches[v].threads = 1;
            benches[v].setUp();
        }
        double[][] rates = new double[names.length][rounds];
        for (int round = -3; round < rounds; round++) {
            for (int v = 0; v < names.length; v++) {
                Q8DecodeBenchmark b = benches[v];
                // thread CPU time: time slices lost to other processes on this shared machine do not count
                long start = CPU.getCurrentThreadCpuTime();
                long calls = 0;
                long now;
                do {
                    for (int i = 0; i < 10; i++) {
                        b.kernel.dotRows(b.x, 0, b.out, 0, 0, rows);
                    }
                    calls += 10;
                    now = CPU.getCurrentThreadCpuTime();
                } while (now - start < 50_000_000L);
                if (round >= 0) {
                    rates[v][round] = (double) calls * b.bytes / (now - start);
                }
            }
        }
        for (int v = 0; v < names.length; v++) {
            double[] r = rates[v].clone();
            java.util.Arrays.sort(r);
            System.out.printf("%-10s best %6.2f GB/s  median %6.2f GB/s%n", names[v], r[r.length - 1], r[r.length / 2]);
        }
    }

    /** Per-iteration counters JMH reports as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long weightBytes;
    }

    @Benchmark
    public float[] matvec(Counters c) {
        int blocks = (rows + 15) / 16;
        Parallel.parallelFor(blocks, (b0, b1) -> kernel.dotRows(x, 0, out, 0, b0 * 16, Math.min(rows, b1 * 16)));
        c.weightBytes += bytes;
        return out;
    }

    // ---- kernels: same species choice and layout helpers as core's Simd / LittleEndian ----

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() > 16 ? FloatVector.SPECIES_512
            : FloatVector.SPECIES_PREFERRED.length() < 4 ? FloatVector.SPECIES_128 : FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    static final int BL = B.length();
    static final int BPARTS = BL / L;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ORDER);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ORDER);
    static final int BLOCK = 32;
    static final int BYTES = 34;

    abstract static class Kernel {
        final MemorySegment data;
        final int rows;
        final int cols;
        final long rowBytes;

        Kernel(MemorySegment data, int rows, int cols) {
            this.data = data;
            this.rows = rows;
            this.cols = cols;
            this.rowBytes = (long) cols / BLOCK * BYTES;
        }

        final long rowOffset(int r) {
            return r * rowBytes;
        }

        abstract void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1);
    }

    /** The kernel in core, through the public row-range product. */
    static final class Core extends Kernel {
        private final Matrix matrix;

        Core(MemorySegment data, int rows, int cols) {
            super(data, rows, cols);
            matrix = Matrix.of(new Tensor("w", GGMLType.Q8_0, new long[] {rows, cols}, data));
        }

        @Override
        void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
            matrix.matvec(x, xOff, out, outOff, r0, r1);
        }
    }

    /** The kernel as it was: one row at a time, even and odd blocks into two accumulators. */
    static final class Old extends Kernel {
        Old(MemorySegment data, int rows, int cols) {
            super(data, rows, cols);
        }

        @Override
        void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
            int blocks = cols / BLOCK;
            for (int r = r0; r < r1; r++) {
                long off = rowOffset(r);
                FloatVector acc0 = FloatVector.zero(F);
                FloatVector acc1 = acc0;
                int b = 0;
                for (; b + 1 < blocks; b += 2) {
                    acc0 = block(off + (long) b * BYTES, x, xOff + b * BLOCK, acc0);
                    acc1 = block(off + (long) (b + 1) * BYTES, x, xOff + (b + 1) * BLOCK, acc1);
                }
                if (b < blocks) {
                    acc0 = block(off + (long) b * BYTES, x, xOff + b * BLOCK, acc0);
                }
                out[outOff + r] = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
            }
        }

        private FloatVector block(long off, float[] x, int xi, FloatVector acc) {
            FloatVector sum = FloatVector.zero(F);
            for (int c = 0; c < BLOCK; c += BL) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, off + 2 + c, ORDER);
                for (int p = 0; p < BPARTS; p++) {
                    FloatVector qf = (FloatVector) q.convertShape(VectorOperators.B2F, F, p);
                    sum = qf.fma(FloatVector.fromArray(F, x, xi + c + p * L), sum);
                }
            }
            float d = Float.float16ToFloat(data.get(SHORT, off));
            return sum.fma(FloatVector.broadcast(F, d), acc);
        }
    }

    /** Two rows per pass sharing each x load. */
    static final class Rows2 extends Kernel {
        Rows2(MemorySegment data, int rows, int cols) {
            super(data, rows, cols);
        }

        @Override
        void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
            int r = r0;
            for (; r + 1 < r1; r += 2) {
                dotRows2(rowOffset(r), x, xOff, out, outOff + r);
            }
            if (r < r1) {
                out[outOff + r] = dotRow(rowOffset(r), x, xOff);
            }
        }

        private void dotRows2(long off, float[] x, int xOff, float[] out, int o) {
            long off1 = off + rowBytes;
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = acc0;
            for (int b = 0, blocks = cols / BLOCK; b < blocks; b++, off += BYTES, off1 += BYTES) {
                float d0 = Float.float16ToFloat(data.get(SHORT, off));
                float d1 = Float.float16ToFloat(data.get(SHORT, off1));
                int xi = xOff + b * BLOCK;
                FloatVector s0 = FloatVector.zero(F);
                FloatVector s1 = s0;
                for (int j = 0; j < BLOCK; j += L) {
                    FloatVector xv = FloatVector.fromArray(F, x, xi + j);
                    s0 = quants(data, off + 2 + j).fma(xv, s0);
                    s1 = quants(data, off1 + 2 + j).fma(xv, s1);
                }
                acc0 = s0.fma(FloatVector.broadcast(F, d0), acc0);
                acc1 = s1.fma(FloatVector.broadcast(F, d1), acc1);
            }
            out[o] = acc0.reduceLanes(VectorOperators.ADD);
            out[o + 1] = acc1.reduceLanes(VectorOperators.ADD);
        }

        private float dotRow(long off, float[] x, int xOff) {
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0, blocks = cols / BLOCK; b < blocks; b++, off += BYTES) {
                float d = Float.float16ToFloat(data.get(SHORT, off));
                int xi = xOff + b * BLOCK;
                FloatVector s = FloatVector.zero(F);
                for (int j = 0; j < BLOCK; j += L) {
                    s = quants(data, off + 2 + j).fma(FloatVector.fromArray(F, x, xi + j), s);
                }
                acc = s.fma(FloatVector.broadcast(F, d), acc);
            }
            return acc.reduceLanes(VectorOperators.ADD);
        }
    }

    /** Bytes of one IntVector: the quants one load covers in {@link Perm}. */
    static final VectorSpecies<Byte> BI = VectorSpecies.of(byte.class, I.vectorShape());
    static final int QL = BI.length();

    /**
     * Two rows per pass; each load covers 4L quants (a whole block at 256 bits) as int lanes, and byte k of every
     * lane is sign-extended by two shifts. Lane i, byte k is quant 4i + k, so x is permuted once per call to match.
     */
    static final class Perm extends Kernel {
        private static final ThreadLocal<float[][]> XP = ThreadLocal.withInitial(() -> new float[1][0]);

        /** One row per pass: a single stream through memory. */
        private final boolean single;

        Perm(MemorySegment data, int rows, int cols, boolean single) {
            super(data, rows, cols);
            this.single = single;
        }

        @Override
        void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
            float[][] h = XP.get();
            if (h[0].length < cols) {
                h[0] = new float[cols];
            }
            float[] xp = h[0];
            for (int c = 0; c < cols; c += QL) {
                for (int k = 0; k < 4; k++) {
                    for (int i = 0; i < L; i++) {
                        xp[c + k * L + i] = x[xOff + c + 4 * i + k];
                    }
                }
            }
            int r = r0;
            for (; !single && r + 1 < r1; r += 2) {
                dotRows2(rowOffset(r), xp, out, outOff + r);
            }
            for (; r < r1; r++) {
                out[outOff + r] = dotRow(rowOffset(r), xp);
            }
        }

        private void dotRows2(long off, float[] xp, float[] out, int o) {
            long off1 = off + rowBytes;
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = acc0;
            for (int b = 0, blocks = cols / BLOCK; b < blocks; b++, off += BYTES, off1 += BYTES) {
                float d0 = Float.float16ToFloat(data.get(SHORT, off));
                float d1 = Float.float16ToFloat(data.get(SHORT, off1));
                int xi = b * BLOCK;
                FloatVector s0 = FloatVector.zero(F);
                FloatVector s1 = s0;
                for (int c = 0; c < BLOCK; c += QL) {
                    IntVector v0 = ByteVector.fromMemorySegment(BI, data, off + 2 + c, ORDER).reinterpretAsInts();
                    IntVector v1 = ByteVector.fromMemorySegment(BI, data, off1 + 2 + c, ORDER).reinterpretAsInts();
                    for (int k = 0; k < 4; k++) {
                        FloatVector xv = FloatVector.fromArray(F, xp, xi + c + k * L);
                        s0 = sext(v0, k).fma(xv, s0);
                        s1 = sext(v1, k).fma(xv, s1);
                    }
                }
                acc0 = s0.fma(FloatVector.broadcast(F, d0), acc0);
                acc1 = s1.fma(FloatVector.broadcast(F, d1), acc1);
            }
            out[o] = acc0.reduceLanes(VectorOperators.ADD);
            out[o + 1] = acc1.reduceLanes(VectorOperators.ADD);
        }

        private float dotRow(long off, float[] xp) {
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0, blocks = cols / BLOCK; b < blocks; b++, off += BYTES) {
                float d = Float.float16ToFloat(data.get(SHORT, off));
                int xi = b * BLOCK;
                FloatVector s = FloatVector.zero(F);
                for (int c = 0; c < BLOCK; c += QL) {
                    IntVector v = ByteVector.fromMemorySegment(BI, data, off + 2 + c, ORDER).reinterpretAsInts();
                    for (int k = 0; k < 4; k++) {
                        s = sext(v, k).fma(FloatVector.fromArray(F, xp, xi + c + k * L), s);
                    }
                }
                acc = s.fma(FloatVector.broadcast(F, d), acc);
            }
            return acc.reduceLanes(VectorOperators.ADD);
        }

        /** Byte k of each int lane, sign-extended, as floats. */
        private static FloatVector sext(IntVector v, int k) {
            IntVector t = k == 3 ? v : v.lanewise(VectorOperators.LSHL, 24 - 8 * k);
            return (FloatVector) t.lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
        }
    }

    private static final int[] BYTE_SHIFTS = {24, 16, 8, 0};

    /** The L signed quants at {@code at} as floats; the 128-bit build sign-extends the bytes of one int load. */
    static FloatVector quants(MemorySegment data, long at) {
        if (L >= 8) {
            return (FloatVector) ByteVector.fromMemorySegment(B, data, at, ORDER).convertShape(VectorOperators.B2F, F, 0);
        }
        return (FloatVector) IntVector.broadcast(I, data.get(INT, at))
                .lanewise(VectorOperators.LSHL, IntVector.fromArray(I, BYTE_SHIFTS, 0))
                .lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
    }
}
