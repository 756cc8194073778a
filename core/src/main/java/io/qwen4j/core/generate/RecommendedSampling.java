package io.qwen4j.core.generate;

import io.qwen4j.core.generate.output.ThinkingStart;
import io.qwen4j.core.generate.sampling.SamplerConfig;
import io.qwen4j.core.tokenizer.Tokenizer;

/**
 * Qwen's recommended sampling per mode (Qwen3 model cards): thinking temperature 0.6, top-p 0.95, top-k 20, min-p 0;
 * non-thinking temperature 0.7, top-p 0.8, top-k 20, min-p 0. They say greedy decoding makes a thinking model
 * repeat itself, so these are what a request that names no sampler gets.
 */
public final class RecommendedSampling {

    private RecommendedSampling() {
    }

    /**
     * Whether a prompt puts the model in thinking mode: it opened a think block, or left the model free to open one
     * and the model has a {@code <think>} token.
     */
    public static boolean isThinking(ThinkingStart start, Tokenizer tokenizer) {
        return start == ThinkingStart.IN_THINK
                || (start == ThinkingStart.MAY_OPEN && tokenizer.tokenId("<think>").isPresent());
    }

    /** The settings for the mode, with a random seed. */
    public static SamplerConfig.Builder forMode(boolean thinking) {
        SamplerConfig.Builder b = SamplerConfig.builder().topK(20).minP(0f).repetitionPenalty(1f);
        return thinking ? b.temperature(0.6f).topP(0.95f) : b.temperature(0.7f).topP(0.8f);
    }
}
