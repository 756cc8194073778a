package io.qwen4j.core.chat.template;

/** A Python-level error during evaluation (TypeError, UndefinedError...); the interpreter adds the template line. */
class PyError extends RuntimeException {
    PyError(String message) {
        super(message, null, false, false);
    }
}
