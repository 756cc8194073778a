package io.qwen4j.core.generate.output;

import java.util.List;

/**
 * A generation's output taken apart.
 *
 * @param reasoning      the think block's text; null when the output had no think block ("" for an empty one)
 * @param content        the answer without the think block and without the tool calls
 * @param toolCalls      the calls, in order
 * @param toolCallErrors the {@code <tool_call>} blocks that could not be read, in order
 */
public record ParsedOutput(String reasoning, String content, List<ToolCall> toolCalls,
                           List<ToolCallError> toolCallErrors) {

    public ParsedOutput {
        toolCalls = List.copyOf(toolCalls);
        toolCallErrors = List.copyOf(toolCallErrors);
    }

    /** Output that is all content. */
    public static ParsedOutput contentOnly(String text) {
        return new ParsedOutput(null, text, List.of(), List.of());
    }
}
