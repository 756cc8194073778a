package io.qwen4j.core.chat;

import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.Timings;

/**
 * An assistant's answer in a chat.
 *
 * @param text         the answer as generated (the template decides how it is shown in later turns)
 * @param finishReason why it ended
 * @param cachedTokens prompt tokens that were already in the KV cache from earlier turns, so not processed again
 * @param timings      speed of the new prompt tokens and of the answer
 */
public record ChatReply(String text, FinishReason finishReason, int cachedTokens, Timings timings) {
}
