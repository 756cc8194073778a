package io.qwen4j.core.chat.template;

/** Base of the errors a chat template raises while it is compiled or rendered. */
public abstract sealed class TemplateException extends RuntimeException
        permits TemplateSyntaxException, TemplateRenderException {

    private final String reason;
    private final int line;

    TemplateException(String message, String reason, int line, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.line = line;
    }

    /** The problem itself, without the position. */
    public String reason() {
        return reason;
    }

    /** 1-based line of the template where the problem is. */
    public int line() {
        return line;
    }
}
