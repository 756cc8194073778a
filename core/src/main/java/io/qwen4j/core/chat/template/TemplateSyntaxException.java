package io.qwen4j.core.chat.template;

/** A template that cannot be compiled: bad syntax, or a Jinja construct this engine does not support. */
public final class TemplateSyntaxException extends TemplateException {

    private final int column;

    TemplateSyntaxException(String reason, int line, int column) {
        super("template line " + line + ", column " + column + ": " + reason, reason, line, null);
        this.column = column;
    }

    /** 1-based column of the template where the problem is. */
    public int column() {
        return column;
    }
}
