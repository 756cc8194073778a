package io.qwen4j.server.engine;

import io.qwen4j.core.generate.FinishReason;

import java.util.List;

/**
 * Receives what a job produces. Called on the scheduler thread: implementations must only hand the data over
 * (to a queue) and return at once, or every running sequence waits.
 */
public interface JobListener {

    /** The prompt is in the cache: {@code cachedTokens} of its {@code promptTokens} came from the prefix cache. */
    void onStarted(int promptTokens, int cachedTokens);

    /** New final text of one choice (may be empty when only logprobs are new). */
    void onOutput(int choice, String text, List<TokenLogprob> logprobs);

    /** One choice has ended; {@code generatedTokens} counts every token drawn for it. */
    void onFinished(int choice, FinishReason reason, int generatedTokens);

    /** The job failed as a whole; no further calls follow. */
    void onFailed(RuntimeException error);
}
