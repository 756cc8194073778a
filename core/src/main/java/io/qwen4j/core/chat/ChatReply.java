package io.qwen4j.core.chat;

import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.Timings;
import io.qwen4j.core.generate.Usage;
import io.qwen4j.core.generate.output.ParsedOutput;
import io.qwen4j.core.generate.output.ToolCall;
import io.qwen4j.core.generate.output.ToolCallError;

import java.util.List;

/**
 * An assistant's answer in a chat.
 *
 * @param text         the answer as generated, think block and tool calls included
 * @param finishReason why it ended
 * @param cachedTokens prompt tokens that were already in the KV cache from earlier turns, so not processed again
 * @param timings      speed of the new prompt tokens and of the answer
 * @param output       the answer taken apart: reasoning, content, tool calls
 * @param usage        token counts, reasoning apart
 */
public record ChatReply(String text, FinishReason finishReason, int cachedTokens, Timings timings,
                        ParsedOutput output, Usage usage) {

    public ChatReply(String text, FinishReason finishReason, int cachedTokens, Timings timings) {
        this(text, finishReason, cachedTokens, timings, ParsedOutput.contentOnly(text), new Usage(0, 0, 0));
    }

    /** The answer without its reasoning and tool calls. */
    public String content() {
        return output.content();
    }

    /** The think block's text, or null when there was none. */
    public String reasoning() {
        return output.reasoning();
    }

    public List<ToolCall> toolCalls() {
        return output.toolCalls();
    }

    public List<ToolCallError> toolCallErrors() {
        return output.toolCallErrors();
    }
}
