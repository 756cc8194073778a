package io.qwen4j.server.api;

import io.qwen4j.core.chat.ChatFormat;
import io.qwen4j.core.model.Model;
import io.qwen4j.server.engine.Scheduler;

/**
 * What the endpoints share.
 *
 * @param chatFormat   the model's compiled chat template, or null when it ships none
 * @param modelId      the name /v1/models lists and responses carry
 * @param maxTokensCap no request generates more tokens than this
 */
public record ServerContext(Model model, ChatFormat chatFormat, Scheduler scheduler, String modelId, int maxTokensCap) {

    /** The tokens a request may generate: what it asked for, at most the cap (the cap when it asked nothing). */
    int maxTokens(Integer requested, int defaultTokens) {
        return Math.min(requested == null ? defaultTokens : requested, maxTokensCap);
    }

    /** A 400 in OpenAI's words when a prompt leaves no room to generate. */
    void checkPromptFits(int promptTokens, String param) {
        int context = scheduler.contextLength();
        if (promptTokens >= context) {
            throw new ApiException(400, "invalid_request_error", param, "context_length_exceeded",
                    "This model's maximum context length is " + context + " tokens per sequence. However, your "
                            + param + " resulted in " + promptTokens + " tokens, leaving no room to generate"
                            + " (the prompt may use at most " + (context - 1) + " tokens).");
        }
    }
}
