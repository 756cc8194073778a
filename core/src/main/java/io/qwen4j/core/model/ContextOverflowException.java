package io.qwen4j.core.model;

/** More tokens than the session's context can hold. */
public class ContextOverflowException extends IllegalArgumentException {

    public ContextOverflowException(int position, int tokens, int contextLength) {
        super("context overflow: " + position + " tokens in context + " + tokens + " new = " + (position + tokens)
                + " > context length " + contextLength);
    }
}
