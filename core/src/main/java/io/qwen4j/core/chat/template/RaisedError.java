package io.qwen4j.core.chat.template;

/** The error a template raises on purpose through {@code raise_exception(message)}. */
final class RaisedError extends PyError {
    RaisedError(String message) {
        super(message);
    }
}
