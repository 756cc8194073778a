package io.qwen4j.server.api;

import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.server.engine.JobListener;
import io.qwen4j.server.engine.TokenLogprob;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands what the scheduler thread produces to the request's own thread through a queue, so that the scheduler
 * never waits on a slow client. One instance collects the events of all jobs of a request (several prompts of
 * /v1/completions), each job's choices shifted to their place in the response.
 */
final class JobEvents {

    sealed interface Event permits Started, Output, Finished, Failed {
    }

    record Started(int promptTokens, int cachedTokens) implements Event {
    }

    record Output(int choice, String text, List<OutputEvent> parts, List<TokenLogprob> logprobs) implements Event {
    }

    record Finished(int choice, FinishReason reason, int completionTokens, int reasoningTokens) implements Event {
    }

    record Failed(RuntimeException error) implements Event {
    }

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    /** The listener of a job whose choice 0 is the response's choice {@code offset}. */
    JobListener listener(int offset) {
        return new JobListener() {
            @Override
            public void onStarted(int promptTokens, int cachedTokens) {
                queue.add(new Started(promptTokens, cachedTokens));
            }

            @Override
            public void onOutput(int choice, String text, List<OutputEvent> parts, List<TokenLogprob> logprobs) {
                queue.add(new Output(offset + choice, text, parts, logprobs));
            }

            @Override
            public void onFinished(int choice, FinishReason reason, int completionTokens, int reasoningTokens) {
                queue.add(new Finished(offset + choice, reason, completionTokens, reasoningTokens));
            }

            @Override
            public void onFailed(RuntimeException error) {
                queue.add(new Failed(error));
            }
        };
    }

    /** The next event, or null if none came within the timeout. */
    Event poll(long millis) throws InterruptedException {
        return queue.poll(millis, TimeUnit.MILLISECONDS);
    }
}
