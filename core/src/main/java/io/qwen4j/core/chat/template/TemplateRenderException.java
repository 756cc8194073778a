package io.qwen4j.core.chat.template;

/**
 * A failure while rendering: the template called {@code raise_exception(message)}, or an
 * operation failed as it would in Jinja (an undefined value used, a type error, an unsafe call).
 */
public final class TemplateRenderException extends TemplateException {

    private final boolean raisedByTemplate;

    TemplateRenderException(String reason, int line, boolean raisedByTemplate, Throwable cause) {
        super("template line " + line + ": " + reason, reason, line, cause);
        this.raisedByTemplate = raisedByTemplate;
    }

    /** True when the template itself raised the error with {@code raise_exception}; {@link #reason()} is then its message. */
    public boolean raisedByTemplate() {
        return raisedByTemplate;
    }
}
