package io.qwen4j.core.generate;

import io.qwen4j.core.constrain.TokenConstraint;
import io.qwen4j.core.generate.sampling.SamplerConfig;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What to generate: at most {@code maxTokens} tokens drawn by {@code sampler}, stopping at any of
 * {@code stopTokens} (usually the model's end-of-generation ids) or at the first of {@code stopStrings}.
 *
 * @param sampler        how to draw; null = {@link RecommendedSampling Qwen's recommended settings} for the mode the
 *                       prompt sets (thinking or not)
 * @param constraint     makes a fresh {@link TokenConstraint} for each generation (a JSON schema, a grammar), or
 *                       null; with a think block it applies only after the block closes
 * @param thinkingBudget a limit on the think block, or null for none
 */
public record GenerateOptions(int maxTokens, SamplerConfig sampler, Set<Integer> stopTokens, List<String> stopStrings,
                              Supplier<TokenConstraint> constraint, ThinkingBudget thinkingBudget) {

    public GenerateOptions {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max tokens must not be negative, got " + maxTokens);
        }
        stopTokens = Set.copyOf(stopTokens);
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a stop string must not be empty");
            }
        }
    }

    public GenerateOptions(int maxTokens, SamplerConfig sampler, Set<Integer> stopTokens, List<String> stopStrings,
                           Supplier<TokenConstraint> constraint) {
        this(maxTokens, sampler, stopTokens, stopStrings, constraint, null);
    }

    public GenerateOptions(int maxTokens, SamplerConfig sampler, Set<Integer> stopTokens, List<String> stopStrings) {
        this(maxTokens, sampler, stopTokens, stopStrings, null, null);
    }

    /** The same options with a constraint on the tokens. */
    public GenerateOptions withConstraint(Supplier<TokenConstraint> constraint) {
        return new GenerateOptions(maxTokens, sampler, stopTokens, stopStrings, constraint, thinkingBudget);
    }

    /** The same options with a limit on the think block (null = none). */
    public GenerateOptions withThinkingBudget(ThinkingBudget budget) {
        return new GenerateOptions(maxTokens, sampler, stopTokens, stopStrings, constraint, budget);
    }

    /** The same options with another sampler (null = Qwen's recommended settings for the mode). */
    public GenerateOptions withSampler(SamplerConfig sampler) {
        return new GenerateOptions(maxTokens, sampler, stopTokens, stopStrings, constraint, thinkingBudget);
    }

    /** Greedy decoding of up to {@code maxTokens}, stopping at the given tokens. */
    public static GenerateOptions greedy(int maxTokens, Set<Integer> stopTokens) {
        return new GenerateOptions(maxTokens, SamplerConfig.greedy(), stopTokens, List.of());
    }
}
