package io.qwen4j.core.chat.template;

/**
 * Jinja's default lenient Undefined: prints as "", is false, iterates as empty and has length 0,
 * but any attribute, item, call, arithmetic or ordering on it is an error.
 */
final class Undefined {
    private static final Object NO_OWNER = new Object();

    private final String hint;
    private final Object owner;
    private final Object name;

    private Undefined(String hint, Object owner, Object name) {
        this.hint = hint;
        this.owner = owner;
        this.name = name;
    }

    /** A variable that does not exist. */
    static Undefined variable(String name) {
        return new Undefined(null, NO_OWNER, name);
    }

    /** A missing attribute or item of {@code owner}. */
    static Undefined member(Object owner, Object name) {
        return new Undefined(null, owner, name);
    }

    /** An undefined value whose use fails with the given message. */
    static Undefined withHint(String hint) {
        return new Undefined(hint, NO_OWNER, null);
    }

    /** The error raised when this value is used in a way Undefined forbids. */
    PyError error() {
        if (hint != null) {
            return new PyError(hint);
        }
        if (owner == NO_OWNER) {
            return new PyError("'" + name + "' is undefined");
        }
        String ownerText = "'" + Py.objectTypeRepr(owner) + "'";
        if (name instanceof String s) {
            return new PyError(ownerText + " has no attribute '" + s + "'");
        }
        return new PyError(ownerText + " has no element " + Py.repr(name));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Undefined;
    }

    @Override
    public int hashCode() {
        return 0;
    }

    @Override
    public String toString() {
        return "";
    }
}
