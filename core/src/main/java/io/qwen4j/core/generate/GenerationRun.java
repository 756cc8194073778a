package io.qwen4j.core.generate;

import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** {@link Generator}'s loop: one session driving a {@link GenerationStream}. */
final class GenerationRun {

    private final Session session;
    private final int[] promptIds;
    private final BooleanSupplier cancelled;
    private final GenerationStream stream;

    GenerationRun(Session session, Tokenizer tokenizer, int[] promptIds, GenerateOptions options,
                  Consumer<String> onText, Consumer<OutputEvent> onEvent, BooleanSupplier cancelled) {
        this.session = session;
        this.promptIds = promptIds;
        this.cancelled = cancelled;
        this.stream = new GenerationStream(tokenizer, promptIds, options, session.contextLength(),
                session.vocabularySize(), onText, onEvent);
    }

    GenerationResult run(int cached) {
        long t0 = System.nanoTime();
        float[] logits = session.ingest(Arrays.copyOfRange(promptIds, cached, promptIds.length));
        long t1 = System.nanoTime();
        logits = feed(stream.begin(), logits);
        while (!stream.ended()) {
            if (cancelled.getAsBoolean()) {
                stream.cancel();
                break;
            }
            logits = feed(stream.step(logits), logits);
        }
        feed(stream.unfedButLast(), logits);
        stream.finish();
        long t2 = System.nanoTime();
        int[] ids = stream.outputIds();
        return new GenerationResult(promptIds.clone(), ids, stream.text(), stream.finishReason(),
                new Timings(promptIds.length - cached, t1 - t0, ids.length, t2 - t1), stream.output(),
                stream.usage());
    }

    private float[] feed(int[] tokens, float[] logits) {
        return tokens.length == 0 ? logits : session.ingest(tokens);
    }
}
