package io.qwen4j.core.generate;

import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs the generation loop: prefill the prompt, then draw one token at a time until an end-of-generation token,
 * a stop string, the token limit or the end of the context. Text is streamed as it becomes final: never half a
 * UTF-8 character, never the start of what might become a stop string. The output is also taken apart as it streams
 * (reasoning, content, tool calls; see {@link io.qwen4j.core.generate.output.OutputParser}), following what the
 * prompt rendered: a prompt that opened a think block makes the output start as reasoning, one that closed it makes
 * it all content. A {@link ThinkingBudget} closes a long think block by feeding its stop text to the model.
 * Every output token but the last is in the session's KV cache afterwards (the last one was never fed back, since
 * nothing follows it).
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
        return generate(session, tokenizer, promptIds, cached, options, onText, null, cancelled);
    }

    /**
     * As {@link #generate(Session, Tokenizer, int[], int, GenerateOptions, Consumer, BooleanSupplier)}, also
     * streaming the output taken apart.
     *
     * @param onEvent receives reasoning and content pieces and tool calls as soon as each is final (may be null)
     */
    public static GenerationResult generate(Session session, Tokenizer tokenizer, int[] promptIds, int cached,
                                            GenerateOptions options, Consumer<String> onText,
                                            Consumer<OutputEvent> onEvent, BooleanSupplier cancelled) {
        if (cached != session.position() || cached >= promptIds.length) {
            throw new IllegalArgumentException("the session holds " + session.position() + " tokens; " + cached
                    + " of the " + promptIds.length + " prompt tokens were said to be cached");
        }
        return new GenerationRun(session, tokenizer, promptIds, options, onText, onEvent, cancelled).run(cached);
    }
}
