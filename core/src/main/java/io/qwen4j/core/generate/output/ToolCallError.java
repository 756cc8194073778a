package io.qwen4j.core.generate.output;

/**
 * A {@code <tool_call>} block the model wrote that is not a valid call, kept so the caller can report it (or ask the
 * model again) instead of losing it.
 *
 * @param raw   the text between {@code <tool_call>} and {@code </tool_call>} (or the end of the output)
 * @param error what is wrong with it
 */
public record ToolCallError(String raw, String error) implements OutputEvent {
}
