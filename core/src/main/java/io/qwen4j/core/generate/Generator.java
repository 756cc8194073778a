package io.qwen4j.core.generate;

import io.qwen4j.core.constrain.TokenConstraint;
import io.qwen4j.core.generate.sampling.Sampler;
import io.qwen4j.core.generate.sampling.StopStringMatcher;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.tokenizer.StreamingDecoder;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs the generation loop: prefill the prompt, then draw one token at a time until an end-of-generation token,
 * a stop string, the token limit or the end of the context. Text is streamed as it becomes final: never half a
 * UTF-8 character, never the start of what might become a stop string. Every generated token but the last is in
 * the session's KV cache afterwards (the last one was never fed back, since nothing follows it).
 */
public final class Generator {

    private Generator() {
    }

    /**
     * Generates after {@code promptIds} in a fresh session.
     *
     * @param onText receives each new piece of generated text as soon as it is final (may be null)
     */
    public static GenerationResult generate(Session session, Tokenizer tokenizer, int[] promptIds,
                                            GenerateOptions options, Consumer<String> onText) {
        return generate(session, tokenizer, promptIds, session.position(), options, onText, () -> false);
    }

    /**
     * Generates after {@code promptIds}, of which the first {@code cached} are already in the session's KV cache
     * (a conversation's earlier turns): only the rest is processed. Penalties see the whole prompt.
     *
     * @param cancelled polled before each token; when it returns true the generation ends as CANCELLED
     */
    public static GenerationResult generate(Session session, Tokenizer tokenizer, int[] promptIds, int cached,
                                            GenerateOptions options, Consumer<String> onText,
                                            BooleanSupplier cancelled) {
        if (cached != session.position() || cached >= promptIds.length) {
            throw new IllegalArgumentException("the session holds " + session.position() + " tokens; " + cached
                    + " of the " + promptIds.length + " prompt tokens were said to be cached");
        }
        Consumer<String> sink = onText == null ? s -> { } : onText;
        int maxNew = Math.min(options.maxTokens(), session.contextLength() - promptIds.length);
        int[] history = Arrays.copyOf(promptIds, promptIds.length + Math.max(maxNew, 0));
        int historyLength = promptIds.length;

        long t0 = System.nanoTime();
        float[] logits = session.ingest(Arrays.copyOfRange(promptIds, cached, promptIds.length));
        long t1 = System.nanoTime();

        Sampler sampler = new Sampler(options.sampler(), session.vocabularySize());
        StreamingDecoder decoder = tokenizer.newStreamingDecoder(false);
        StopStringMatcher stops = new StopStringMatcher(options.stopStrings());
        TokenConstraint constraint = options.constraint() == null ? null : options.constraint().get();
        StringBuilder text = new StringBuilder();
        FinishReason reason = FinishReason.LENGTH;
        int generated = 0;
        while (generated < maxNew) {
            if (cancelled.getAsBoolean()) {
                reason = FinishReason.CANCELLED;
                break;
            }
            if (constraint != null) {
                constraint.mask(logits, session.vocabularySize());
            }
            int token = sampler.sample(logits, history, historyLength);
            if (constraint != null) {
                constraint.accept(token);
            }
            history[historyLength++] = token;
            generated++;
            if (options.stopTokens().contains(token)) {
                reason = FinishReason.STOP;
                break;
            }
            String piece = stops.append(decoder.append(token));
            emit(piece, text, sink);
            if (stops.stopped()) {
                reason = FinishReason.STOP;
                break;
            }
            if (generated < maxNew) {
                logits = session.ingest(token);
            }
        }
        if (!stops.stopped()) {
            emit(stops.append(decoder.flush()), text, sink);
            if (!stops.stopped()) {
                emit(stops.flush(), text, sink);
            } else if (reason == FinishReason.LENGTH) {
                reason = FinishReason.STOP;
            }
        }
        long t2 = System.nanoTime();
        int[] ids = Arrays.copyOfRange(history, promptIds.length, historyLength);
        return new GenerationResult(promptIds.clone(), ids, text.toString(), reason,
                new Timings(promptIds.length - cached, t1 - t0, generated, t2 - t1));
    }

    private static void emit(String piece, StringBuilder text, Consumer<String> sink) {
        if (!piece.isEmpty()) {
            text.append(piece);
            sink.accept(piece);
        }
    }
}
