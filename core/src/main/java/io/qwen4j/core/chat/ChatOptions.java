package io.qwen4j.core.chat;

import io.qwen4j.core.generate.sampling.SamplerConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a chat runs: system prompt, sampling, answer length, context size, stop strings and extra chat-template
 * variables (such as {@code enable_thinking}).
 *
 * @param system        the system prompt, or null to let the template choose
 * @param maxTokens     longest answer in tokens
 * @param contextLength KV cache size in tokens; 0 = the model's default
 */
public record ChatOptions(String system, SamplerConfig sampler, int maxTokens, int contextLength,
                          List<String> stop, Map<String, Object> templateKwargs) {

    public ChatOptions {
        if (sampler == null) {
            throw new IllegalArgumentException("sampler is missing");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must not be negative, got " + contextLength);
        }
        stop = List.copyOf(stop);
        templateKwargs = Map.copyOf(templateKwargs);
    }

    public static ChatOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String system;
        private SamplerConfig sampler = SamplerConfig.builder().build();
        private int maxTokens = 1024;
        private int contextLength;
        private final List<String> stop = new ArrayList<>();
        private final Map<String, Object> templateKwargs = new LinkedHashMap<>();

        public Builder system(String system) { this.system = system; return this; }
        public Builder sampler(SamplerConfig sampler) { this.sampler = sampler; return this; }
        public Builder maxTokens(int maxTokens) { this.maxTokens = maxTokens; return this; }
        public Builder contextLength(int contextLength) { this.contextLength = contextLength; return this; }
        public Builder stop(String text) { stop.add(text); return this; }
        /** A chat-template variable, e.g. {@code templateKwarg("enable_thinking", false)}. */
        public Builder templateKwarg(String name, Object value) { templateKwargs.put(name, value); return this; }

        public ChatOptions build() {
            return new ChatOptions(system, sampler, maxTokens, contextLength, stop, templateKwargs);
        }
    }
}
