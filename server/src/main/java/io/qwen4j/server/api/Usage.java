package io.qwen4j.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Token counts of a response, in OpenAI's {@code usage} shape (with the prompt tokens served from the cache and the completion tokens spent thinking). */
final class Usage {

    int promptTokens;
    int cachedTokens;
    int completionTokens;
    int reasoningTokens;

    ObjectNode toJson() {
        ObjectNode u = Json.object();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", promptTokens + completionTokens);
        u.putObject("prompt_tokens_details").put("cached_tokens", cachedTokens);
        u.putObject("completion_tokens_details").put("reasoning_tokens", reasoningTokens);
        return u;
    }
}
