package io.qwen4j.core.tensor;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A persistent worker pool for data-parallel kernels. Fork/join per op costs too much at decode rates (hundreds of
 * ops per token), so workers stay alive: after a job they spin briefly ({@link Thread#onSpinWait}) waiting for the
 * next one, then park. Work is handed out by an atomic counter in shrinking ranges, so a slow thread does not hold
 * the others up. The calling thread works too. One job runs at a time; calls from other
 * threads wait their turn, and a call from inside a running body runs serially on the calling thread.
 */
public final class Parallel {

    @FunctionalInterface
    public interface IntRangeBody {
        void run(int start, int end);
    }

    /** Each grab of work takes 1 / (SHARE_DIVISOR * threads) of what is left. */
    private static final int SHARE_DIVISOR = 2;
    /** How long an idle worker spins before parking; covers the gap between the ops of one forward pass. */
    private static final long SPIN_NANOS = 50_000;

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    /** Guarded by LOCK. */
    private static Pool pool;

    private Parallel() {
    }

    /** Sets the number of threads (the caller included) and replaces the pool; not callable from inside a body. */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + n);
        }
        if (Thread.currentThread() instanceof Worker || LOCK.isHeldByCurrentThread()) {
            throw new IllegalStateException("setThreads called from inside a parallelFor body");
        }
        LOCK.lock();
        try {
            if (pool != null) {
                pool.shutdown();
                pool = null;
            }
            threads = n;
        } finally {
            LOCK.unlock();
        }
    }

    public static int threads() {
        return threads;
    }

    /** Calls {@code body.run(start, end)} over disjoint ranges covering [0, count) and returns when all are done. */
    public static void parallelFor(int count, IntRangeBody body) {
        Objects.requireNonNull(body, "body");
        if (count < 0) {
            throw new IllegalArgumentException("count " + count + " is negative");
        }
        if (count == 0) {
            return;
        }
        if (count == 1 || threads == 1 || Thread.currentThread() instanceof Worker || LOCK.isHeldByCurrentThread()) {
            body.run(0, count);
            return;
        }
        LOCK.lock();
        try {
            if (pool == null) {
                pool = new Pool(threads - 1);
            }
            pool.run(count, body, threads);
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * One parallelFor call: immutable but for its counters, so a worker that wakes late finds nothing left to do.
     * Each grab takes a share of what is left ({@link #SHARE_DIVISOR} per thread), at least one unit: large ranges
     * first and small ones at the end, so the threads finish close together. Equal chunks (four per thread) left
     * one thread idle for half a chunk per call on average, about 6% of decode with two threads.
     */
    private static final class Job {
        final IntRangeBody body;
        final int count;
        final int divisor;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(IntRangeBody body, int count, int threads) {
            this.body = body;
            this.count = count;
            this.divisor = SHARE_DIVISOR * threads;
        }

        void work() {
            for (int start = next.get(); start < count; start = next.get()) {
                int end = start + Math.max(1, (count - start) / divisor);
                if (!next.compareAndSet(start, end)) {
                    continue;
                }
                try {
                    body.run(start, end);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.addAndGet(end - start);
                }
            }
        }
    }

    private static final class Pool {
        final Worker[] workers;
        volatile Job job;
        volatile boolean shutdown;

        Pool(int n) {
            workers = new Worker[n];
            for (int i = 0; i < n; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        void run(int count, IntRangeBody body, int threads) {
            Job j = new Job(body, count, threads);
            job = j;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            j.work();
            int spins = 0;
            while (j.done.get() < j.count) {
                if (++spins < 1 << 16) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            job = null; // do not keep the body (and what it captured) alive until the next call
            Throwable t = j.failure.get();
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException("parallelFor body failed", t);
            }
        }

        void shutdown() {
            shutdown = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
            for (Worker w : workers) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;
        /** Set before parking; the publisher unparks only parked workers, and the volatile pair rules out a lost wake-up. */
        volatile boolean parked;

        Worker(Pool pool, int index) {
            super("qwen4j-parallel-" + index);
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            while (!pool.shutdown) {
                Job j = pool.job;
                if (j != null && j != seen) {
                    seen = j;
                    j.work();
                } else if (!spinFor(seen)) {
                    parked = true;
                    Job now = pool.job;
                    if ((now == null || now == seen) && !pool.shutdown) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        }

        /** Spins up to SPIN_NANOS; true when a new job (or shutdown) arrived meanwhile. */
        private boolean spinFor(Job seen) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            for (int i = 1; ; i++) {
                Job j = pool.job;
                if ((j != null && j != seen) || pool.shutdown) {
                    return true;
                }
                Thread.onSpinWait();
                if ((i & 63) == 0 && System.nanoTime() > deadline) {
                    return false;
                }
            }
        }
    }
}
