package io.qwen4j.core.tensor;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
     * The workers and the one job they share. A job is published through {@link #ticket}: its generation in the high
     * 32 bits, the next unit not yet handed out in the low 32. Each grab takes a share of what is left ({@link
     * #SHARE_DIVISOR} per thread), at least one unit, by a compare-and-set of the whole ticket: large ranges first
     * and small ones at the end, so the threads finish close together (equal chunks, four per thread, left one
     * thread idle for half a chunk per call on average, about 6% of decode with two threads). The job's fields are
     * reused, not allocated per call: a worker that wakes late for an old generation fails its compare-and-set, so
     * it cannot take units of the next job.
     */
    private static final class Pool {
        /** The low half of a ticket while the caller sets up the next job: nothing can be taken. */
        private static final int CLOSED = Integer.MAX_VALUE;

        final Worker[] workers;
        volatile boolean shutdown;
        final AtomicLong ticket = new AtomicLong(CLOSED); // generation 0, closed
        /** The current job; written while the ticket is closed, published by opening it. */
        private IntRangeBody body;
        private int count;
        private int divisor;
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** Caller only (under LOCK). */
        private int generation;

        Pool(int n) {
            workers = new Worker[n];
            for (int i = 0; i < n; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        static int generationOf(long ticket) {
            return (int) (ticket >>> 32);
        }

        void run(int count, IntRangeBody body, int threads) {
            // close first: from here a late worker of the last job fails its compare-and-set and reads no field
            // of the next one as its own
            ticket.set((long) generation << 32 | CLOSED);
            this.body = body;
            this.count = count;
            this.divisor = SHARE_DIVISOR * threads;
            done.set(0);
            failure.set(null);
            int gen = ++generation;
            ticket.set((long) gen << 32); // the volatile write that publishes the fields above
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            work(gen);
            int spins = 0;
            while (done.get() < count) {
                if (++spins < 1 << 16) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            this.body = null; // do not keep the body (and what it captured) alive until the next call
            Throwable t = failure.get();
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

        /** Takes and runs units of job {@code gen} until none is left or another job has begun. */
        void work(int gen) {
            for (long t = ticket.get(); generationOf(t) == gen; t = ticket.get()) {
                int start = (int) t;
                int n = count; // read after the ticket: the open ticket published it
                if (start >= n) {
                    return;
                }
                int end = start + Math.max(1, (n - start) / divisor);
                if (!ticket.compareAndSet(t, t - start + end)) {
                    continue;
                }
                // the unit is ours and the job cannot change before it is done
                try {
                    body.run(start, end);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.addAndGet(end - start);
                }
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
            int seen = 0;
            while (!pool.shutdown) {
                int gen = Pool.generationOf(pool.ticket.get());
                if (gen != seen) {
                    seen = gen;
                    pool.work(gen);
                } else if (!spinFor(seen)) {
                    parked = true;
                    if (Pool.generationOf(pool.ticket.get()) == seen && !pool.shutdown) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        }

        /** Spins up to SPIN_NANOS; true when a new job (or shutdown) arrived meanwhile. */
        private boolean spinFor(int seen) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            for (int i = 1; ; i++) {
                if (Pool.generationOf(pool.ticket.get()) != seen || pool.shutdown) {
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
