package io.qwen4j.server.engine;

import io.qwen4j.core.constrain.TokenConstraint;
import io.qwen4j.core.generate.ThinkingBudget;
import io.qwen4j.core.generate.sampling.SamplerConfig;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How one answer (one choice) of a job is generated.
 *
 * @param maxTokens      tokens to generate at most (the context end may stop it earlier)
 * @param sampler        the sampling chain and seed of this choice
 * @param stopTokens     token ids that end the answer (the model's end-of-generation ids); never part of the text
 * @param stopStrings    texts that end the answer; the text ends right before the first one
 * @param topLogprobs    -1: no logprobs; 0: the chosen token's logprob only; k: also the k most likely tokens
 * @param constraint     makes a fresh constraint for this choice (a JSON grammar), or null; it applies after a
 *                       think block, as in the generator
 * @param thinkingBudget a limit on the think block, or null
 * @param forcedPrefix   text the answer starts with, fed as if the model had written it (a forced tool call's
 *                       {@code <tool_call>}), or null
 */
public record ChoiceSettings(int maxTokens, SamplerConfig sampler, Set<Integer> stopTokens, List<String> stopStrings,
                             int topLogprobs, Supplier<TokenConstraint> constraint, ThinkingBudget thinkingBudget,
                             String forcedPrefix) {

    public ChoiceSettings {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
        }
        if (topLogprobs < -1) {
            throw new IllegalArgumentException("top logprobs must be -1 (off) or more, got " + topLogprobs);
        }
        Objects.requireNonNull(sampler, "sampler");
        stopTokens = Set.copyOf(stopTokens);
        stopStrings = List.copyOf(stopStrings);
    }

    /** Plain settings: no constraint, no budget, no forced prefix. */
    public ChoiceSettings(int maxTokens, SamplerConfig sampler, Set<Integer> stopTokens, List<String> stopStrings,
                          int topLogprobs) {
        this(maxTokens, sampler, stopTokens, stopStrings, topLogprobs, null, null, null);
    }

    /** The same settings with another seed: the choices of one request draw differently but repeatably. */
    public ChoiceSettings withSeed(long seed) {
        return new ChoiceSettings(maxTokens, sampler.toBuilder().seed(seed).build(), stopTokens, stopStrings,
                topLogprobs, constraint, thinkingBudget, forcedPrefix);
    }
}
