package io.qwen4j.core.constrain;

/** A grammar that cannot be used: a syntax error (with its line and column), an undefined rule, left recursion. */
public final class GrammarException extends RuntimeException {

    private final int line;
    private final int column;

    /** An error at a place in the grammar text (1-based line and column). */
    public GrammarException(String message, int line, int column) {
        super("line " + line + ", column " + column + ": " + message);
        this.line = line;
        this.column = column;
    }

    /** An error about the grammar as a whole. */
    public GrammarException(String message) {
        super(message);
        this.line = 0;
        this.column = 0;
    }

    /** The 1-based line of the error, or 0 if it is not tied to a place in the text. */
    public int line() {
        return line;
    }

    /** The 1-based column of the error, or 0 if it is not tied to a place in the text. */
    public int column() {
        return column;
    }
}
