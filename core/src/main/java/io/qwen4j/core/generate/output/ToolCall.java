package io.qwen4j.core.generate.output;

import java.util.Objects;

/**
 * A function call the model asked for.
 *
 * @param id            names the call so that its result can refer to it (OpenAI's {@code tool_call_id})
 * @param name          the function's name
 * @param argumentsJson the arguments as a JSON object text, exactly as the model wrote it
 */
public record ToolCall(String id, String name, String argumentsJson) implements OutputEvent {

    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(argumentsJson, "argumentsJson");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a tool call needs a function name");
        }
    }
}
