package io.qwen4j.core.generate.sampling;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Sampling settings, named and defaulted as in llama.cpp ({@code --temp 0.8 --top-k 40 --top-p 0.95 --min-p 0.05
 * --repeat-penalty 1.0 --presence-penalty 0 --frequency-penalty 0 --repeat-last-n 64}). See {@link Sampler} for what
 * each setting does and in which order.
 *
 * @param temperature       0 = greedy (argmax); otherwise the kept logits are divided by it before the draw
 * @param topK              keep the k highest logits; 0 = off
 * @param topP              nucleus: keep the smallest prefix whose probability mass is at least topP; 1 = off
 * @param minP              keep tokens with probability at least minP times the top probability; 0 = off
 * @param repetitionPenalty divides positive / multiplies non-positive logits of tokens in the window; 1 = off
 * @param presencePenalty   subtracted once from the logit of every distinct token in the window; 0 = off
 * @param frequencyPenalty  subtracted from a token's logit once per occurrence in the window; 0 = off
 * @param penaltyLastN      how many of the most recent tokens the penalties look at; 0 = none, -1 = whole history
 * @param seed              seeds the random generator; the same seed gives the same draws
 */
public record SamplerConfig(float temperature, int topK, float topP, float minP,
                            float repetitionPenalty, float presencePenalty, float frequencyPenalty,
                            int penaltyLastN, long seed) {

    public SamplerConfig {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw invalid("temperature", temperature, "a finite value >= 0");
        }
        if (topK < 0) {
            throw invalid("topK", topK, ">= 0 (0 = off)");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw invalid("topP", topP, "in (0, 1] (1 = off)");
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw invalid("minP", minP, "in [0, 1] (0 = off)");
        }
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw invalid("repetitionPenalty", repetitionPenalty, "a finite value > 0 (1 = off)");
        }
        if (!Float.isFinite(presencePenalty)) {
            throw invalid("presencePenalty", presencePenalty, "finite");
        }
        if (!Float.isFinite(frequencyPenalty)) {
            throw invalid("frequencyPenalty", frequencyPenalty, "finite");
        }
        if (penaltyLastN < -1) {
            throw invalid("penaltyLastN", penaltyLastN, ">= -1 (-1 = whole history, 0 = off)");
        }
    }

    /** Plain argmax: temperature 0, every filter and penalty off. */
    public static SamplerConfig greedy() {
        return builder().temperature(0).topK(0).topP(1).minP(0).seed(0).build();
    }

    /** A builder holding llama.cpp's defaults and a random seed. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration, to change a few settings. */
    public Builder toBuilder() {
        return new Builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                .repetitionPenalty(repetitionPenalty).presencePenalty(presencePenalty)
                .frequencyPenalty(frequencyPenalty).penaltyLastN(penaltyLastN).seed(seed);
    }

    /** True when the penalties can change a logit. */
    boolean penaltiesEnabled() {
        return penaltyLastN != 0 && (repetitionPenalty != 1f || presencePenalty != 0f || frequencyPenalty != 0f);
    }

    private static IllegalArgumentException invalid(String field, Object value, String expected) {
        return new IllegalArgumentException(field + " must be " + expected + ", got " + value);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private float temperature = 0.8f;
        private int topK = 40;
        private float topP = 0.95f;
        private float minP = 0.05f;
        private float repetitionPenalty = 1.0f;
        private float presencePenalty = 0f;
        private float frequencyPenalty = 0f;
        private int penaltyLastN = 64;
        private long seed = ThreadLocalRandom.current().nextLong();

        private Builder() {
        }

        public Builder temperature(float temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        public Builder topP(float topP) {
            this.topP = topP;
            return this;
        }

        public Builder minP(float minP) {
            this.minP = minP;
            return this;
        }

        public Builder repetitionPenalty(float repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        public Builder presencePenalty(float presencePenalty) {
            this.presencePenalty = presencePenalty;
            return this;
        }

        public Builder frequencyPenalty(float frequencyPenalty) {
            this.frequencyPenalty = frequencyPenalty;
            return this;
        }

        public Builder penaltyLastN(int penaltyLastN) {
            this.penaltyLastN = penaltyLastN;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public SamplerConfig build() {
            return new SamplerConfig(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                    frequencyPenalty, penaltyLastN, seed);
        }
    }
}
