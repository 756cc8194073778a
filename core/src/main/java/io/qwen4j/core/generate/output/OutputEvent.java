package io.qwen4j.core.generate.output;

/**
 * One piece of a generation's output, in the order the model wrote it: reasoning text, answer text, a finished
 * tool call, or a tool call that could not be read.
 */
public sealed interface OutputEvent permits OutputEvent.Reasoning, OutputEvent.Content, ToolCall, ToolCallError {

    /** Text of the think block. */
    record Reasoning(String text) implements OutputEvent {
    }

    /** Text of the answer (outside the think block and outside tool calls). */
    record Content(String text) implements OutputEvent {
    }
}
