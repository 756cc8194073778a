package io.qwen4j.core.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParallelTest {

    private static final int DEFAULT = Runtime.getRuntime().availableProcessors();

    @AfterEach
    void restore() {
        Parallel.setThreads(DEFAULT);
    }

    /** Every index of [0, count) is visited exactly once, over many calls that reuse the pool. */
    private static void assertCoversOnce(int count) {
        AtomicIntegerArray visits = new AtomicIntegerArray(count);
        AtomicLong sum = new AtomicLong();
        Parallel.parallelFor(count, (start, end) -> {
            assertTrue(0 <= start && start < end && end <= count, start + ".." + end);
            for (int i = start; i < end; i++) {
                visits.incrementAndGet(i);
                sum.addAndGet(i);
            }
        });
        for (int i = 0; i < count; i++) {
            assertEquals(1, visits.get(i), "index " + i + " of " + count);
        }
        assertEquals((long) count * (count - 1) / 2, sum.get());
    }

    @Test
    void coversEveryIndexOnceOverManyCalls() {
        Parallel.setThreads(3);
        for (int count : new int[] {1, 2, 3, 5, 11, 12, 13, 100, 10_007}) {
            for (int repeat = 0; repeat < 50; repeat++) {
                assertCoversOnce(count);
            }
        }
        Parallel.parallelFor(0, (s, e) -> {
            throw new AssertionError("called for an empty range");
        });
    }

    @Test
    void usesMoreThanOneThreadAndSplitsIntoChunks() {
        Parallel.setThreads(3);
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        AtomicLong calls = new AtomicLong();
        for (int repeat = 0; repeat < 200 && seen.size() < 2; repeat++) {
            Parallel.parallelFor(1000, (s, e) -> {
                seen.add(Thread.currentThread());
                calls.incrementAndGet();
                long until = System.nanoTime() + 200_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            });
        }
        assertTrue(seen.size() >= 2, "only " + seen + " ran the body");
        assertTrue(seen.size() <= 3, seen.toString());
        assertTrue(calls.get() > 3, "work was not chunked: " + calls.get() + " calls");
    }

    /**
     * The pool reuses one job's fields from call to call: a worker that wakes late (more threads than cores here)
     * must never run a unit of a job that has ended or take one of the next job. Each call has its own body and
     * count, and every unit of every call must run exactly once, in that call.
     */
    @Test
    void lateWorkersNeverRunUnitsOfAnotherCall() {
        Parallel.setThreads(2 * DEFAULT + 1);
        int calls = 20_000;
        AtomicLong wrong = new AtomicLong();
        for (int call = 0; call < calls; call++) {
            int count = 1 + call % 7;
            AtomicIntegerArray visits = new AtomicIntegerArray(count);
            int[] open = {1};
            Parallel.parallelFor(count, (start, end) -> {
                if (open[0] != 1 || start < 0 || end > count) {
                    wrong.incrementAndGet();
                    return;
                }
                for (int i = start; i < end; i++) {
                    visits.incrementAndGet(i);
                }
            });
            open[0] = 0; // a body still called after its parallelFor returned counts as wrong
            for (int i = 0; i < count; i++) {
                assertEquals(1, visits.get(i), "call " + call + ", index " + i + " of " + count);
            }
        }
        assertEquals(0, wrong.get(), "units run outside their call");
    }

    /** Handing a call to the workers allocates nothing once the pool is running. */
    @Test
    void aCallAllocatesNothing() {
        Parallel.setThreads(2);
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] sink = new long[64];
        Parallel.IntRangeBody body = (start, end) -> sink[start] += end;
        for (int i = 0; i < 20_000; i++) { // warm up: the JIT's own first allocations
            Parallel.parallelFor(64, body);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            Parallel.parallelFor(64, body);
        }
        long perCall = (mx.getCurrentThreadAllocatedBytes() - before) / 10_000;
        assertEquals(0, perCall, "bytes allocated per call by the calling thread");
    }

    @Test
    void nestedCallRunsSeriallyAndCorrectly() {
        Parallel.setThreads(4);
        AtomicLong total = new AtomicLong();
        Parallel.parallelFor(40, (s, e) -> {
            for (int i = s; i < e; i++) {
                Thread outer = Thread.currentThread();
                int base = i;
                Parallel.parallelFor(25, (s2, e2) -> {
                    assertSame(outer, Thread.currentThread(), "nested call left its thread");
                    assertEquals(0, s2);
                    assertEquals(25, e2);
                    for (int j = s2; j < e2; j++) {
                        total.addAndGet(base * 25L + j);
                    }
                });
            }
        });
        long n = 40 * 25;
        assertEquals(n * (n - 1) / 2, total.get());
    }

    @Test
    void setThreadsRecreatesThePool() {
        Parallel.setThreads(1);
        assertEquals(1, Parallel.threads());
        Thread caller = Thread.currentThread();
        Parallel.parallelFor(100, (s, e) -> assertSame(caller, Thread.currentThread()));
        assertCoversOnce(100);
        Parallel.setThreads(5);
        assertEquals(5, Parallel.threads());
        assertCoversOnce(1000);
        Parallel.setThreads(2);
        assertEquals(2, Parallel.threads());
        assertCoversOnce(1000);
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertThrows(IllegalStateException.class,
                () -> Parallel.parallelFor(10, (s, e) -> Parallel.setThreads(3)));
    }

    @Test
    void bodyFailureReachesTheCallerAndThePoolSurvives() {
        Parallel.setThreads(3);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.parallelFor(64, (s, end) -> {
            if (s <= 40 && 40 < end) {
                throw new IllegalStateException("boom at 40");
            }
        }));
        assertEquals("boom at 40", e.getMessage());
        assertCoversOnce(500);
        assertThrows(IllegalArgumentException.class, () -> Parallel.parallelFor(-1, (s, end) -> { }));
    }

    @Test
    void concurrentCallersTakeTurns() throws InterruptedException {
        Parallel.setThreads(3);
        Thread[] callers = new Thread[3];
        AtomicLong failures = new AtomicLong();
        for (int c = 0; c < callers.length; c++) {
            callers[c] = new Thread(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        assertCoversOnce(257);
                    }
                } catch (Throwable t) {
                    failures.incrementAndGet();
                }
            });
            callers[c].start();
        }
        for (Thread t : callers) {
            t.join();
        }
        assertEquals(0, failures.get());
    }
}
