package io.qwen4j.core.generate;

import io.qwen4j.core.generate.sampling.SamplerConfig;

import io.qwen4j.core.constrain.TokenConstraint;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What to generate: at most {@code maxTokens} tokens drawn by {@code sampler}, stopping at any of
 * {@code stopTokens} (usually the model's end-of-generation ids) or at the first of {@code stopStrings}.
 *
 * @param constraint makes a fresh {@link TokenConstraint} for each generation (a JSON schema, a grammar), or null
 */
public record GenerateOptions(int maxTokens, SamplerConfig sampler, Set<Integer> stopTokens, List<String> stopStrings,
                              Supplier<TokenConstraint> constraint) {

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

    public GenerateOptions(int maxTokens, SamplerConfig sampler, Set<Integer> stopTokens, List<String> stopStrings) {
        this(maxTokens, sampler, stopTokens, stopStrings, null);
    }

    /** The same options with a constraint on the tokens. */
    public GenerateOptions withConstraint(Supplier<TokenConstraint> constraint) {
        return new GenerateOptions(maxTokens, sampler, stopTokens, stopStrings, constraint);
    }

    /** Greedy decoding of up to {@code maxTokens}, stopping at the given tokens. */
    public static GenerateOptions greedy(int maxTokens, Set<Integer> stopTokens) {
        return new GenerateOptions(maxTokens, SamplerConfig.greedy(), stopTokens, List.of());
    }
}
