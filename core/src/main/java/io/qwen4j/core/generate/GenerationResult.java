package io.qwen4j.core.generate;

/**
 * The outcome of one generation.
 *
 * @param promptIds the prompt's tokens
 * @param ids       the generated tokens, including the end-of-generation token that stopped it, if any
 * @param text      the generated text, without the end-of-generation token or the stop string
 */
public record GenerationResult(int[] promptIds, int[] ids, String text, FinishReason finishReason, Timings timings) {
}
