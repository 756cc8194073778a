package io.qwen4j.server.engine;

import java.util.List;
import java.util.Objects;

/**
 * One request as the scheduler sees it: a tokenised prompt and one or more choices generated after it. The
 * prompt is prefilled once and shared by all choices. Cancel it from any thread; the scheduler frees its slots
 * before its next step.
 */
public final class GenerationJob {

    final int[] prompt;
    final List<ChoiceSettings> choices;
    final JobListener listener;
    final long submittedNanos = System.nanoTime();
    private volatile boolean cancelled;
    private volatile Runnable onCancel = () -> { };

    // Owned by the scheduler thread.
    Slot[] slots;
    int prefilled;
    int cachedTokens;
    boolean firstTokenSeen;
    int running;

    public GenerationJob(int[] prompt, List<ChoiceSettings> choices, JobListener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("a job generates at least one choice");
        }
        this.prompt = prompt.clone();
        this.choices = List.copyOf(choices);
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public int promptLength() {
        return prompt.length;
    }

    public int choiceCount() {
        return choices.size();
    }

    /** Stops the job as soon as the scheduler gets to it; its choices end as CANCELLED. */
    public void cancel() {
        cancelled = true;
        onCancel.run();
    }

    public boolean isCancelled() {
        return cancelled;
    }

    void onCancel(Runnable wake) {
        this.onCancel = wake;
    }
}
