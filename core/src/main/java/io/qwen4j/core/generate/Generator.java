package io.qwen4j.core.generate;

import io.qwen4j.core.generate.sampling.Sampler;
import io.qwen4j.core.generate.sampling.StopStringMatcher;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.tokenizer.StreamingDecoder;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Runs the generation loop: prefill the prompt, then draw one token at a time until an end-of-generation token,
 * a stop string, the token limit or the end of the context. Text is streamed as it becomes final: never half a
 * UTF-8 character, never the start of what might become a stop string.
 */
public final class Generator {

    private Generator() {
    }

    /**
     * @param onText receives each new piece of generated text as soon as it is final (may be null)
     */
    public static GenerationResult generate(Session session, Tokenizer tokenizer, int[] promptIds,
                                            GenerateOptions options, Consumer<String> onText) {
        Consumer<String> sink = onText == null ? s -> { } : onText;
        int maxNew = Math.min(options.maxTokens(), session.contextLength() - session.position() - promptIds.length);
        int[] history = Arrays.copyOf(promptIds, promptIds.length + Math.max(maxNew, 0));
        int historyLength = promptIds.length;

        long t0 = System.nanoTime();
        float[] logits = session.ingest(promptIds);
        long t1 = System.nanoTime();

        Sampler sampler = new Sampler(options.sampler(), session.vocabularySize());
        StreamingDecoder decoder = tokenizer.newStreamingDecoder(false);
        StopStringMatcher stops = new StopStringMatcher(options.stopStrings());
        StringBuilder text = new StringBuilder();
        FinishReason reason = FinishReason.LENGTH;
        int generated = 0;
        while (generated < maxNew) {
            int token = sampler.sample(logits, history, historyLength);
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
            } else {
                reason = FinishReason.STOP;
            }
        }
        long t2 = System.nanoTime();
        int[] ids = Arrays.copyOfRange(history, promptIds.length, historyLength);
        return new GenerationResult(promptIds.clone(), ids, text.toString(), reason,
                new Timings(promptIds.length, t1 - t0, generated, t2 - t1));
    }

    private static void emit(String piece, StringBuilder text, Consumer<String> sink) {
        if (!piece.isEmpty()) {
            text.append(piece);
            sink.accept(piece);
        }
    }
}
