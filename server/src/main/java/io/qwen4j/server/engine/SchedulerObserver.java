package io.qwen4j.server.engine;

/** What the scheduler reports for metrics; called on the scheduler thread, so implementations must be cheap. */
public interface SchedulerObserver {

    /** A job took its slots: {@code reusedTokens} of its {@code promptTokens} came from a slot's cache (0 on a miss). */
    void prefixLookup(int promptTokens, int reusedTokens);

    /** One batched decoding step advanced {@code sequences} sequences. */
    void decodeStep(int sequences);

    /** Prompt tokens actually computed (not reused). */
    void promptTokensComputed(int tokens);

    /** A job's first token was drawn, {@code nanos} after it was submitted. */
    void firstToken(long nanos);

    /** One token was generated. */
    void tokenGenerated();

    /** A sequence was cancelled (its client went away, or the server shut down). */
    void sequenceCancelled();

    SchedulerObserver NONE = new SchedulerObserver() {
        @Override public void prefixLookup(int promptTokens, int reusedTokens) { }
        @Override public void decodeStep(int sequences) { }
        @Override public void promptTokensComputed(int tokens) { }
        @Override public void firstToken(long nanos) { }
        @Override public void tokenGenerated() { }
        @Override public void sequenceCancelled() { }
    };
}
