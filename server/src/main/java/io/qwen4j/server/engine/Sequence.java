package io.qwen4j.server.engine;

import io.qwen4j.core.constrain.TokenConstraint;
import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.sampling.Sampler;
import io.qwen4j.core.generate.sampling.StopStringMatcher;
import io.qwen4j.core.tokenizer.StreamingDecoder;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One choice being generated, one token per {@link #step}. It follows {@link io.qwen4j.core.generate.Generator}'s
 * rules exactly (the same draws, stops, limits and streamed text), but is driven from outside so that the
 * scheduler can batch many sequences into one forward pass.
 */
final class Sequence {

    final GenerationJob job;
    final int choice;
    private final ChoiceSettings settings;
    private final Tokenizer tokenizer;
    private final Sampler sampler;
    private final StreamingDecoder decoder;
    private final StopStringMatcher stops;
    private final TokenConstraint constraint;
    private final int[] history;
    private int historyLength;
    private final int maxNew;
    private int generated;
    private final List<TokenLogprob> logprobs = new ArrayList<>();

    Sequence(GenerationJob job, int choice, Tokenizer tokenizer, int vocabularySize, int contextLength) {
        this.job = job;
        this.choice = choice;
        this.settings = job.choices.get(choice);
        this.tokenizer = tokenizer;
        this.sampler = new Sampler(settings.sampler(), vocabularySize);
        this.decoder = tokenizer.newStreamingDecoder(false);
        this.stops = new StopStringMatcher(settings.stopStrings());
        this.constraint = settings.constraint() == null ? null : settings.constraint().get();
        this.maxNew = Math.min(settings.maxTokens(), contextLength - job.prompt.length);
        this.history = Arrays.copyOf(job.prompt, job.prompt.length + Math.max(maxNew, 0));
        this.historyLength = job.prompt.length;
    }

    int generated() {
        return generated;
    }

    /**
     * Draws the next token from {@code logits} (which it may modify) and streams the text that became final.
     *
     * @return the token to feed back, or -1 when this choice has ended (the listener has been told why)
     */
    int step(float[] logits, int vocabularySize) {
        if (generated >= maxNew) {
            finish(FinishReason.LENGTH);
            return -1;
        }
        if (constraint != null) {
            constraint.mask(logits, vocabularySize);
        }
        int token = sampler.sample(logits, history, historyLength);
        if (settings.topLogprobs() >= 0) {
            logprobs.add(Logprobs.of(logits, vocabularySize, token, settings.topLogprobs(), tokenizer));
        }
        if (constraint != null) {
            constraint.accept(token);
        }
        history[historyLength++] = token;
        generated++;
        if (settings.stopTokens().contains(token)) {
            finish(FinishReason.STOP);
            return -1;
        }
        emit(stops.append(decoder.append(token)));
        if (stops.stopped()) {
            finish(FinishReason.STOP);
            return -1;
        }
        if (generated >= maxNew) {
            finish(FinishReason.LENGTH);
            return -1;
        }
        return token;
    }

    /** Ends the choice from outside (client gone, shutdown): nothing more is streamed. */
    void cancel() {
        job.listener.onFinished(choice, FinishReason.CANCELLED, generated);
    }

    /** As the generator ends: release held-back text unless a stop string cut it; a stop string found here is a STOP. */
    private void finish(FinishReason reason) {
        if (!stops.stopped()) {
            emit(stops.append(decoder.flush()));
            if (!stops.stopped()) {
                emit(stops.flush());
            } else if (reason == FinishReason.LENGTH) {
                reason = FinishReason.STOP;
            }
        }
        if (!logprobs.isEmpty()) {
            flushOutput("");
        }
        job.listener.onFinished(choice, reason, generated);
    }

    private void emit(String piece) {
        if (!piece.isEmpty()) {
            flushOutput(piece);
        }
    }

    private void flushOutput(String text) {
        List<TokenLogprob> out = logprobs.isEmpty() ? List.of() : List.copyOf(logprobs);
        logprobs.clear();
        job.listener.onOutput(choice, text, out);
    }
}
