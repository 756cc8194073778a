package io.qwen4j.core.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Matvec throughput per weight type (not a unit test): {@code java --add-modules jdk.incubator.vector -cp
 * core/target/classes:core/target/test-classes io.qwen4j.core.tensor.MatVecBench [threads [rows cols [TYPE...]]]}.
 * With {@code -Dpacked=true} the matrices take the layout the forward pass uses ({@link Matrix#packed}).
 * Reports the weight bytes read per second and the time per element, best of several rounds after warm-up.
 */
final class MatVecBench {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** With one thread, the thread's CPU time: on a shared machine it leaves out the time others held the core. */
    private static boolean cpuTime;

    private MatVecBench() {
    }

    private static long clock() {
        return cpuTime ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int rows = args.length > 2 ? Integer.parseInt(args[1]) : 1024;
        int cols = args.length > 2 ? Integer.parseInt(args[2]) : 3072;
        GGMLType[] types = ReferenceWeights.TYPES;
        if (args.length > 3) {
            types = new GGMLType[args.length - 3];
            for (int i = 3; i < args.length; i++) {
                types[i - 3] = GGMLType.valueOf(args[i]);
            }
        }
        Parallel.setThreads(threads);
        cpuTime = threads == 1;
        float[] x = new float[cols];
        Random rnd = new Random(1);
        for (int i = 0; i < cols; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] out = new float[rows];
        System.out.printf("matvec [%d, %d], %d threads (%s)%n", rows, cols, threads,
                cpuTime ? "thread CPU time" : "wall time");
        for (GGMLType type : types) {
            MemorySegment data = ReferenceWeights.random(type, (long) rows * cols, 3);
            Tensor t = new Tensor("w", type, new long[] {rows, cols}, data);
            Matrix m = Boolean.getBoolean("packed") ? Matrix.packed(t) : Matrix.of(t);
            long bytes = data.byteSize();
            int reps = (int) Math.max(20, 400_000_000L / bytes);
            double best = Double.MAX_VALUE;
            long allocated = 0;
            for (int round = 0; round < 12; round++) {
                long a0 = THREADS.getCurrentThreadAllocatedBytes();
                long t0 = clock();
                for (int k = 0; k < reps; k++) {
                    MatMul.apply(m, x, 1, out);
                }
                best = Math.min(best, (clock() - t0) / (double) reps);
                allocated = (THREADS.getCurrentThreadAllocatedBytes() - a0) / reps;
            }
            // allocation is the calling thread's share only; with one thread it is all of it
            System.out.printf("%-5s %7.2f GB/s  %6.3f ns/element  (%.1f us per matvec, %d bytes allocated)%n", type,
                    bytes / best, best / ((double) rows * cols) * threads, best / 1000, allocated);
        }
    }
}
