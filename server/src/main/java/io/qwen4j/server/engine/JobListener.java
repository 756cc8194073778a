package io.qwen4j.server.engine;

import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.output.OutputEvent;

import java.util.List;

/**
 * Receives what a job produces. Called on the scheduler thread: implementations must only hand the data over
 * (to a queue) and return at once, or every running sequence waits.
 */
public interface JobListener {

    /** The prompt is in the cache: {@code cachedTokens} of its {@code promptTokens} came from the prefix cache. */
    void onStarted(int promptTokens, int cachedTokens);

    /**
     * New output of one choice: the raw text that became final, the same text taken apart (reasoning, content,
     * tool calls; the parts may lag the raw text while a tag is undecided), and the logprobs of the tokens drawn.
     */
    void onOutput(int choice, String text, List<OutputEvent> events, List<TokenLogprob> logprobs);

    /**
     * One choice has ended.
     *
     * @param completionTokens every token after the prompt (injected text and the end-of-generation token included)
     * @param reasoningTokens  the part of them in the think block
     */
    void onFinished(int choice, FinishReason reason, int completionTokens, int reasoningTokens);

    /** The job failed as a whole; no further calls follow. */
    void onFailed(RuntimeException error);
}
