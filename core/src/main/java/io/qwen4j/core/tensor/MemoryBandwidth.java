package io.qwen4j.core.tensor;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The machine's memory read bandwidth as decode sees it: every {@link Parallel} thread sums its share of an off-heap
 * buffer far larger than the caches with vector loads, as a STREAM-style read test. Decoding one token reads each
 * weight once, so weight bytes per token divided by this figure is the fastest any engine can decode.
 */
public final class MemoryBandwidth {

    private static final VectorSpecies<Long> V = LongVector.SPECIES_PREFERRED;
    /** Bytes per work unit: large enough that the atomic hand-out is noise, small enough to balance threads. */
    private static final long CHUNK = 1 << 22;

    private MemoryBandwidth() {
    }

    /** Best read rate in bytes per second over {@code passes} passes of a {@code bytes} buffer (a multiple of 4 MiB). */
    public static double measureRead(long bytes, int passes) {
        if (bytes < CHUNK || bytes % CHUNK != 0 || passes < 1) {
            throw new IllegalArgumentException("buffer must be a positive multiple of " + CHUNK + " bytes, got "
                    + bytes + ", passes " + passes);
        }
        try (Arena arena = Arena.ofShared()) { // shared: the pool's workers read it
            MemorySegment buffer = arena.allocate(bytes, 4096);
            buffer.fill((byte) 1); // touch every page so that the passes read memory, not page faults
            int chunks = (int) (bytes / CHUNK);
            long[] sink = new long[chunks];
            double best = 0;
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                Parallel.parallelFor(chunks, (c0, c1) -> {
                    for (int c = c0; c < c1; c++) {
                        sink[c] = sum(buffer, c * CHUNK);
                    }
                });
                long t = System.nanoTime() - t0;
                best = Math.max(best, bytes * 1e9 / t);
            }
            return best; // the sums went to sink, an array the bodies share, so the reads cannot be dropped
        }
    }

    private static long sum(MemorySegment m, long off) {
        LongVector a0 = LongVector.zero(V), a1 = a0, a2 = a0, a3 = a0;
        int step = V.vectorByteSize();
        for (long i = off, end = off + CHUNK; i < end; i += 4L * step) {
            a0 = a0.add(LongVector.fromMemorySegment(V, m, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(LongVector.fromMemorySegment(V, m, i + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(LongVector.fromMemorySegment(V, m, i + 2L * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(LongVector.fromMemorySegment(V, m, i + 3L * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
}
