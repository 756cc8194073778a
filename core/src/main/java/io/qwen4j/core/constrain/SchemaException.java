package io.qwen4j.core.constrain;

/** A JSON schema that cannot become a grammar: invalid, or using a feature the converter does not support. */
public final class SchemaException extends RuntimeException {

    private final String pointer;

    /** A problem with the part of the schema at {@code pointer} (a JSON pointer, "" for the whole schema). */
    public SchemaException(String pointer, String message) {
        super("schema at \"" + (pointer.isEmpty() ? "#" : "#" + pointer) + "\": " + message);
        this.pointer = pointer;
    }

    /** The JSON pointer of the offending part of the schema ("" for the root). */
    public String pointer() {
        return pointer;
    }
}
