package io.qwen4j.core.generate;

import io.qwen4j.core.generate.sampling.SamplerConfig;

/**
 * Qwen's recommended sampling per mode (Qwen3 model cards): thinking temperature 0.6, top-p 0.95, top-k 20, min-p 0;
 * non-thinking temperature 0.7, top-p 0.8, top-k 20, min-p 0. They say greedy decoding makes a thinking model
 * repeat itself, so these are what a request that names no sampler gets.
 */
public final class RecommendedSampling {

    private RecommendedSampling() {
    }

    /** The settings for the mode, with a random seed. */
    public static SamplerConfig.Builder forMode(boolean thinking) {
        SamplerConfig.Builder b = SamplerConfig.builder().topK(20).minP(0f).repetitionPenalty(1f);
        return thinking ? b.temperature(0.6f).topP(0.95f) : b.temperature(0.7f).topP(0.8f);
    }
}
