package io.qwen4j.core.generate;

import io.qwen4j.core.generate.output.ParsedOutput;

/**
 * The outcome of one generation.
 *
 * @param promptIds the prompt's tokens
 * @param ids       the generated tokens (an injected stop-thinking text included), with the end-of-generation token
 *                  that stopped it, if any
 * @param text      the generated text, without the end-of-generation token or the stop string
 * @param output    the text taken apart: reasoning, content, tool calls
 * @param usage     token counts, reasoning apart
 */
public record GenerationResult(int[] promptIds, int[] ids, String text, FinishReason finishReason, Timings timings,
                               ParsedOutput output, Usage usage) {

    /** A result that is all content (no reasoning, no tool calls). */
    public GenerationResult(int[] promptIds, int[] ids, String text, FinishReason finishReason, Timings timings) {
        this(promptIds, ids, text, finishReason, timings, ParsedOutput.contentOnly(text),
                new Usage(promptIds.length, ids.length, 0));
    }
}
