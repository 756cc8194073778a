package io.qwen4j.server.engine;

import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.model.BatchDecoder;
import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.QwenLongContext;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Owns the model and runs every generation on one thread, with continuous batching. There are {@code parallel}
 * slots, each a session of {@code contextLength} positions (the context is per slot, not split between them).
 * Each step of the loop:
 * <ol>
 *   <li>admits waiting jobs while enough slots are free, choosing for each the free slot whose cached tokens share
 *       the longest prefix with its prompt (the prefix cache: those positions are kept, not recomputed);</li>
 *   <li>prefills one chunk of at most {@code prefillChunk} prompt tokens of the oldest prefilling job, so a long
 *       prompt delays the running streams by one chunk per step, not by its whole length;</li>
 *   <li>draws the next token of every sequence whose logits are fresh;</li>
 *   <li>advances every sequence that has a token to feed with ONE {@link BatchDecoder#decode} call.</li>
 * </ol>
 * A job with n choices takes n slots; its prompt is prefilled in one and copied to the others
 * ({@link Session#copyPrefixFrom}). Jobs that find no free slots wait in a bounded queue; past its capacity
 * {@link #submit} throws {@link QueueFullException}.
 */
public final class Scheduler implements AutoCloseable {

    private final Tokenizer tokenizer;
    private final QwenLongContext longContext;
    private final int contextLength;
    private final int queueCapacity;
    private final int prefillChunk;
    private final SchedulerObserver observer;
    private final Slot[] slots;
    private final BatchDecoder decoder;
    private final int vocab;
    private final Thread thread;

    private final Object lock = new Object();
    private final ArrayDeque<GenerationJob> waiting = new ArrayDeque<>(); // guarded by lock
    private boolean accepting = true; // guarded by lock
    private boolean stopping; // guarded by lock: cancel everything and end the loop
    private final List<GenerationJob> running = new ArrayList<>(); // scheduler thread only
    private volatile int activeSequences;
    private volatile int queued;

    // Buffers for the batched step, reused.
    private final Session[] batchSessions;
    private final int[] batchTokens;
    private final Slot[] batchSlots;

    public Scheduler(Model model, int parallel, int contextLength, int queueCapacity, int prefillChunk,
                     SchedulerObserver observer) {
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel must be at least 1, got " + parallel);
        }
        if (contextLength < 2) {
            throw new IllegalArgumentException("the context must hold at least 2 tokens, got " + contextLength);
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("the queue capacity must not be negative, got " + queueCapacity);
        }
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("the prefill chunk must be at least 1 token, got " + prefillChunk);
        }
        this.tokenizer = model.tokenizer();
        this.longContext = model.config().qwenLongContext();
        this.contextLength = contextLength;
        this.queueCapacity = queueCapacity;
        this.prefillChunk = prefillChunk;
        this.observer = observer;
        this.slots = new Slot[parallel];
        for (int i = 0; i < parallel; i++) {
            slots[i] = new Slot(i, model.newSession(contextLength, Model.DEFAULT_CACHE_TYPE, prefillChunk));
        }
        this.decoder = model.newBatchDecoder(parallel);
        this.vocab = decoder.vocabularySize();
        this.batchSessions = new Session[parallel];
        this.batchTokens = new int[parallel];
        this.batchSlots = new Slot[parallel];
        this.thread = Thread.ofPlatform().name("qwen4j-scheduler").daemon().unstarted(this::loop);
        thread.start();
    }

    public int parallel() {
        return slots.length;
    }

    public int contextLength() {
        return contextLength;
    }

    /** Sequences holding a slot (prefilling or generating). */
    public int activeSequences() {
        return activeSequences;
    }

    /** Jobs waiting for free slots. */
    public int queueDepth() {
        return queued;
    }

    /**
     * Queues a job; the listener hears of it on the scheduler thread.
     *
     * @throws IllegalArgumentException if the prompt leaves no room to generate or it asks for more choices than slots
     * @throws QueueFullException       if the waiting queue is full
     * @throws ShuttingDownException    while the server drains
     */
    public void submit(GenerationJob job) {
        if (job.prompt.length >= contextLength) {
            throw new IllegalArgumentException("the prompt has " + job.prompt.length + " tokens but the context holds "
                    + contextLength + " tokens per sequence, and at least one must be left to generate");
        }
        if (job.choiceCount() > slots.length) {
            throw new IllegalArgumentException("n = " + job.choiceCount() + " choices need as many slots, but the server runs "
                    + slots.length + " (--parallel)");
        }
        synchronized (lock) {
            if (!accepting) {
                throw new ShuttingDownException();
            }
            // slots that are free and not yet promised to a job ahead in the queue: with enough of them the job
            // starts at once and does not count against the queue
            int unclaimed = slots.length - activeSequences;
            for (GenerationJob ahead : waiting) {
                unclaimed -= ahead.choiceCount();
            }
            if (unclaimed < job.choiceCount() && waiting.size() >= queueCapacity) {
                throw new QueueFullException(waiting.size());
            }
            job.onCancel(this::wake);
            waiting.add(job);
            queued = waiting.size();
            lock.notifyAll();
        }
    }

    private void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /**
     * Stops taking jobs, lets running and waiting ones finish for up to {@code grace}, then cancels what is left and
     * ends the scheduler thread.
     *
     * @return true if everything finished within the grace period
     */
    public boolean drain(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (lock) {
            accepting = false;
            while (!waiting.isEmpty() || activeSequences > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
        boolean clean;
        synchronized (lock) {
            clean = waiting.isEmpty() && activeSequences == 0;
            stopping = true;
            lock.notifyAll();
        }
        thread.join();
        return clean;
    }

    @Override
    public void close() {
        try {
            drain(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        while (true) {
            synchronized (lock) {
                while (!stopping && running.isEmpty() && !admissible()) {
                    dropCancelledWaiting();
                    if (!running.isEmpty() || admissible()) {
                        break;
                    }
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        stopping = true;
                    }
                }
                if (stopping) {
                    cancelEverything();
                    lock.notifyAll();
                    return;
                }
                admit();
            }
            reapCancelled();
            prefillStep();
            feedStep();
            sampleStep();
            decodeStep();
            updateGauges();
        }
    }

    private boolean admissible() {
        GenerationJob head = waiting.peek();
        return head != null && (head.isCancelled() || freeSlots() >= head.choiceCount());
    }

    private void dropCancelledWaiting() {
        int before = waiting.size();
        waiting.removeIf(job -> {
            if (job.isCancelled()) {
                for (int c = 0; c < job.choiceCount(); c++) {
                    job.listener.onFinished(c, FinishReason.CANCELLED, 0, 0);
                }
                return true;
            }
            return false;
        });
        if (waiting.size() != before) {
            queued = waiting.size();
            lock.notifyAll();
        }
    }

    private int freeSlots() {
        int free = 0;
        for (Slot s : slots) {
            if (s.state == Slot.State.FREE) {
                free++;
            }
        }
        return free;
    }

    /** Moves waiting jobs into slots, first come first served, while the head job's choices all fit. */
    private void admit() {
        dropCancelledWaiting();
        while (!waiting.isEmpty() && freeSlots() >= waiting.peek().choiceCount()) {
            GenerationJob job = waiting.poll();
            try {
                place(job);
                running.add(job);
            } catch (RuntimeException e) {
                for (Slot s : job.slots == null ? new Slot[0] : job.slots) {
                    if (s != null) {
                        s.session.reset();
                        s.release();
                    }
                }
                job.listener.onFailed(e);
            }
        }
        queued = waiting.size();
        updateGauges();
        lock.notifyAll();
    }

    /** Picks the job's slots: the first reuses the longest cached prefix; the others wait for its prefill. */
    private void place(GenerationJob job) {
        Slot primary = null;
        int reuse = -1;
        for (Slot s : slots) {
            if (s.state != Slot.State.FREE) {
                continue;
            }
            // at least one prompt token must be computed: its logits give the first draw
            int common = Math.min(s.commonPrefix(job.prompt), job.prompt.length - 1);
            if (longContext != null && common > 0 && s.session.ntkAlpha() != longContext.ntkAlpha(job.prompt.length)) {
                common = 0; // Qwen1's dynamic NTK fixed another RoPE base for that cache
            }
            if (common > reuse) {
                primary = s;
                reuse = common;
            }
        }
        if (reuse == 0) {
            primary = leastValuableFreeSlot(); // a miss: keep the longer caches for later hits
        }
        job.slots = new Slot[job.choiceCount()];
        job.slots[0] = primary;
        primary.session.rewind(reuse);
        job.prefilled = reuse;
        job.cachedTokens = reuse;
        primary.state = Slot.State.PREFILL;
        primary.sequence = new Sequence(job, 0, tokenizer, vocab, contextLength);
        for (int c = 1; c < job.choiceCount(); c++) {
            Slot sibling = leastValuableFreeSlot();
            sibling.state = Slot.State.AWAIT_PREFILL;
            sibling.sequence = new Sequence(job, c, tokenizer, vocab, contextLength);
            job.slots[c] = sibling;
        }
        job.running = job.choiceCount();
        observer.prefixLookup(job.prompt.length, reuse);
        job.listener.onStarted(job.prompt.length, reuse);
    }

    /** A free slot with the shortest cache: the one whose loss costs the prefix cache least. */
    private Slot leastValuableFreeSlot() {
        Slot best = null;
        for (Slot s : slots) {
            if (s.state == Slot.State.FREE && (best == null || s.session.position() < best.session.position())) {
                best = s;
            }
        }
        return best;
    }

    private void reapCancelled() {
        for (GenerationJob job : List.copyOf(running)) {
            if (job.isCancelled()) {
                for (Slot s : job.slots) {
                    if (s.sequence != null && s.sequence.job == job) {
                        s.sequence.cancel();
                        observer.sequenceCancelled();
                        endSequence(s);
                    }
                }
            }
        }
    }

    /** One chunk of the oldest job that is still prefilling. */
    private void prefillStep() {
        for (GenerationJob job : running) {
            Slot primary = job.slots[0];
            if (primary.state != Slot.State.PREFILL) {
                continue;
            }
            try {
                int from = job.prefilled;
                // Qwen1's dynamic NTK picks its RoPE base from the length of the first piece: feed it whole
                int chunk = longContext != null && from == 0 ? job.prompt.length : prefillChunk;
                int to = Math.min(job.prompt.length, from + chunk);
                float[] logits = primary.session.ingest(Arrays.copyOfRange(job.prompt, from, to));
                System.arraycopy(job.prompt, from, primary.tokens, from, to - from);
                observer.promptTokensComputed(to - from);
                job.prefilled = to;
                if (to == job.prompt.length) {
                    System.arraycopy(logits, 0, primary.logits, 0, vocab);
                    for (int c = 1; c < job.slots.length; c++) {
                        Slot sibling = job.slots[c];
                        sibling.session.copyPrefixFrom(primary.session, job.prompt.length);
                        System.arraycopy(job.prompt, 0, sibling.tokens, 0, job.prompt.length);
                        System.arraycopy(primary.logits, 0, sibling.logits, 0, vocab);
                    }
                    for (Slot s : job.slots.clone()) {
                        int before = s.sequence.outputTokens();
                        int[] feed = s.sequence.begin();
                        countTokens(job, s.sequence.outputTokens() - before);
                        next(s, feed);
                    }
                }
            } catch (RuntimeException e) {
                fail(job, e);
            }
            return;
        }
    }

    /** Draws a token for every sequence whose logits are fresh. */
    private void sampleStep() {
        for (Slot s : slots) {
            if (s.state != Slot.State.SAMPLE) {
                continue;
            }
            GenerationJob job = s.sequence.job;
            try {
                int before = s.sequence.outputTokens();
                int[] feed = s.sequence.step(s.logits);
                countTokens(job, s.sequence.outputTokens() - before);
                next(s, feed);
            } catch (RuntimeException e) {
                fail(job, e);
            }
        }
    }

    /** Where a sequence goes after it wrote tokens: ended, one token for the batch, or several to feed alone. */
    private void next(Slot s, int[] feed) {
        if (!s.sequence.live()) {
            endSequence(s);
        } else if (feed.length == 0) {
            s.state = Slot.State.SAMPLE;
        } else if (feed.length == 1) {
            s.nextToken = feed[0];
            s.state = Slot.State.DECODE;
        } else {
            s.feed = feed;
            s.state = Slot.State.FEED;
        }
    }

    private void countTokens(GenerationJob job, int tokens) {
        for (int i = 0; i < tokens; i++) {
            observer.tokenGenerated();
        }
        if (tokens > 0 && !job.firstTokenSeen) {
            job.firstTokenSeen = true;
            observer.firstToken(System.nanoTime() - job.submittedNanos);
        }
    }

    /** Feeds injected text (a stop-thinking text, a forced prefix) of the sequences that have some, each alone. */
    private void feedStep() {
        for (Slot s : slots) {
            if (s.state != Slot.State.FEED) {
                continue;
            }
            try {
                int at = s.session.position();
                float[] logits = s.session.ingest(s.feed);
                System.arraycopy(s.feed, 0, s.tokens, at, s.feed.length);
                System.arraycopy(logits, 0, s.logits, 0, vocab);
                s.feed = null;
                s.state = Slot.State.SAMPLE;
            } catch (RuntimeException e) {
                fail(s.sequence.job, e);
            }
        }
    }

    /** Feeds the drawn tokens of all generating sequences through the model in one pass. */
    private void decodeStep() {
        int n = 0;
        for (Slot s : slots) {
            if (s.state == Slot.State.DECODE) {
                batchSlots[n] = s;
                batchSessions[n] = s.session;
                batchTokens[n] = s.nextToken;
                n++;
            }
        }
        if (n == 0) {
            return;
        }
        try {
            for (int i = 0; i < n; i++) {
                Slot s = batchSlots[i];
                s.tokens[s.session.position()] = batchTokens[i];
            }
            float[] logits = decoder.decode(batchSessions, batchTokens, n);
            observer.decodeStep(n);
            for (int i = 0; i < n; i++) {
                Slot s = batchSlots[i];
                System.arraycopy(logits, i * vocab, s.logits, 0, vocab);
                s.nextToken = -1;
                s.state = Slot.State.SAMPLE;
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < n; i++) {
                if (batchSlots[i].sequence != null) {
                    fail(batchSlots[i].sequence.job, e);
                }
            }
        } finally {
            Arrays.fill(batchSessions, null);
            Arrays.fill(batchSlots, null);
        }
    }

    /** Frees a finished sequence's slot, keeping its cache for later prefix hits. */
    private void endSequence(Slot s) {
        GenerationJob job = s.sequence.job;
        s.release();
        if (--job.running == 0) {
            running.remove(job);
        }
        updateGauges();
    }

    private void fail(GenerationJob job, RuntimeException e) {
        if (!running.remove(job)) {
            return;
        }
        for (Slot s : job.slots) {
            if (s.sequence != null && s.sequence.job == job) {
                s.session.reset(); // the cache may be half written
                s.release();
            }
        }
        job.listener.onFailed(e);
        updateGauges();
    }

    private void cancelEverything() {
        for (GenerationJob job : List.copyOf(running)) {
            job.cancel();
        }
        reapCancelled();
        for (GenerationJob job : waiting) {
            job.cancel();
        }
        dropCancelledWaiting();
        updateGauges();
    }

    private void updateGauges() {
        int active = 0;
        for (Slot s : slots) {
            if (s.state != Slot.State.FREE) {
                active++;
            }
        }
        if (active != activeSequences) {
            activeSequences = active;
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }
}
