package io.qwen4j.server.api;

import io.qwen4j.server.engine.GenerationJob;
import io.qwen4j.server.engine.QueueFullException;
import io.qwen4j.server.engine.Scheduler;
import io.qwen4j.server.engine.ShuttingDownException;

import java.io.IOException;
import java.util.List;

/**
 * The jobs of one request and the loop that waits for their events on the request's thread. If the loop ends
 * early (the client went away, an error), every job is cancelled so its slots are freed at the next step.
 */
final class Generation {

    /** What a response does with each event. */
    interface Sink {
        void output(JobEvents.Output output) throws IOException;

        void finished(JobEvents.Finished finished) throws IOException;

        /** Nothing happened for a while; a stream sends a keep-alive. */
        default void idle() throws IOException {
        }
    }

    static final long IDLE_MILLIS = 10_000;

    final List<GenerationJob> jobs;
    final JobEvents events;
    final Usage usage = new Usage();
    private final int choices;

    Generation(List<GenerationJob> jobs, JobEvents events) {
        this.jobs = List.copyOf(jobs);
        this.events = events;
        this.choices = jobs.stream().mapToInt(GenerationJob::choiceCount).sum();
    }

    /** Queues every job, or none: a refused job cancels those queued before it. */
    void submit(Scheduler scheduler) {
        for (int i = 0; i < jobs.size(); i++) {
            try {
                scheduler.submit(jobs.get(i));
            } catch (RuntimeException e) {
                jobs.subList(0, i).forEach(GenerationJob::cancel);
                throw translate(e, scheduler);
            }
        }
    }

    private static RuntimeException translate(RuntimeException e, Scheduler scheduler) {
        return switch (e) {
            case QueueFullException q -> new ApiException(429, "rate_limit_exceeded", null, "server_busy",
                    q.getMessage() + "; retry later");
            case ShuttingDownException s -> new ApiException(503, "server_error", null, "shutting_down", s.getMessage());
            case IllegalArgumentException i -> new ApiException(400, "invalid_request_error", "messages",
                    "context_length_exceeded", i.getMessage());
            default -> e;
        };
    }

    /** Waits for every choice to finish, handing each event to the sink. */
    void run(Sink sink) throws IOException {
        int finished = 0;
        boolean completed = false;
        try {
            while (finished < choices) {
                JobEvents.Event e = events.poll(IDLE_MILLIS);
                switch (e) {
                    case null -> sink.idle();
                    case JobEvents.Started s -> {
                        usage.promptTokens += s.promptTokens();
                        usage.cachedTokens += s.cachedTokens();
                    }
                    case JobEvents.Output o -> sink.output(o);
                    case JobEvents.Finished f -> {
                        usage.completionTokens += f.completionTokens();
                        usage.reasoningTokens += f.reasoningTokens();
                        finished++;
                        sink.finished(f);
                    }
                    case JobEvents.Failed f -> throw new GenerationFailedException(f.error());
                }
            }
            completed = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating", e);
        } finally {
            if (!completed) {
                jobs.forEach(GenerationJob::cancel);
            }
        }
    }

    /** The model failed while generating (not the request's fault). */
    static final class GenerationFailedException extends RuntimeException {
        GenerationFailedException(RuntimeException cause) {
            super("generation failed: " + cause.getMessage(), cause);
        }
    }
}
