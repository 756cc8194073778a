package io.qwen4j.server.api;

import io.qwen4j.core.generate.FinishReason;

/** OpenAI's finish_reason values. */
final class FinishReasons {

    private FinishReasons() {
    }

    /**
     * A choice that the server cut short (shutdown after the grace period) reports "length": OpenAI has no value
     * for it, and "length" is what clients already read as "the answer is truncated".
     */
    static String api(FinishReason reason) {
        return reason == FinishReason.CANCELLED ? "length" : reason.apiName;
    }
}
