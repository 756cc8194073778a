package io.qwen4j.core.chat;

import io.qwen4j.core.generate.RecommendedSampling;
import io.qwen4j.core.generate.ThinkingBudget;
import io.qwen4j.core.generate.sampling.SamplerConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a chat runs: system prompt, sampling, answer length, context size, stop strings, extra chat-template
 * variables (such as {@code enable_thinking}), the tools the model may call and a thinking budget.
 *
 * @param system         the system prompt, or null to let the template choose
 * @param sampler        null = {@link RecommendedSampling Qwen's recommended settings} for the mode each turn's
 *                       prompt sets (thinking or not)
 * @param maxTokens      longest answer in tokens
 * @param contextLength  KV cache size in tokens; 0 = the model's default
 * @param tools          OpenAI function tools as JSON values ({@link Tools#parse}); empty for none
 * @param thinkingBudget a limit on each answer's think block, or null for none
 */
public record ChatOptions(String system, SamplerConfig sampler, int maxTokens, int contextLength,
                          List<String> stop, Map<String, Object> templateKwargs, List<Object> tools,
                          ThinkingBudget thinkingBudget) {

    public ChatOptions {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must not be negative, got " + contextLength);
        }
        stop = List.copyOf(stop);
        templateKwargs = Map.copyOf(templateKwargs);
        tools = tools == null ? List.of() : Tools.validate(tools);
    }

    public ChatOptions(String system, SamplerConfig sampler, int maxTokens, int contextLength, List<String> stop,
                       Map<String, Object> templateKwargs) {
        this(system, sampler, maxTokens, contextLength, stop, templateKwargs, List.of(), null);
    }

    public static ChatOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String system;
        private SamplerConfig sampler;
        private int maxTokens = 1024;
        private int contextLength;
        private final List<String> stop = new ArrayList<>();
        private final Map<String, Object> templateKwargs = new LinkedHashMap<>();
        private List<Object> tools = List.of();
        private ThinkingBudget thinkingBudget;

        public Builder system(String system) { this.system = system; return this; }
        /** Fixed sampling; without it each turn gets Qwen's recommended settings for its mode. */
        public Builder sampler(SamplerConfig sampler) { this.sampler = sampler; return this; }
        public Builder maxTokens(int maxTokens) { this.maxTokens = maxTokens; return this; }
        public Builder contextLength(int contextLength) { this.contextLength = contextLength; return this; }
        public Builder stop(String text) { stop.add(text); return this; }
        /** A chat-template variable, e.g. {@code templateKwarg("enable_thinking", false)}. */
        public Builder templateKwarg(String name, Object value) { templateKwargs.put(name, value); return this; }
        /** Thinking on or off, as the template's {@code enable_thinking} (Qwen3; QwQ always thinks). */
        public Builder thinking(boolean enabled) { return templateKwarg("enable_thinking", enabled); }
        /** Tools as JSON values, e.g. from {@link Tools#parse}. */
        public Builder tools(List<?> tools) { this.tools = Tools.validate(tools); return this; }
        /** At most {@code tokens} of reasoning, then Qwen's stop-thinking text (0 = no thinking at all). */
        public Builder thinkingBudget(int tokens) { return thinkingBudget(ThinkingBudget.of(tokens)); }
        public Builder thinkingBudget(ThinkingBudget budget) { this.thinkingBudget = budget; return this; }

        public ChatOptions build() {
            return new ChatOptions(system, sampler, maxTokens, contextLength, stop, templateKwargs, tools, thinkingBudget);
        }
    }
}
