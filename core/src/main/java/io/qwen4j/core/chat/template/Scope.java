package io.qwen4j.core.chat.template;

import java.util.HashMap;
import java.util.Map;

/**
 * One level of variables. Loop iterations, macro calls, set blocks and with blocks each get a fresh
 * child, so a {@code set} inside them never leaks out, as in Jinja.
 */
final class Scope {
    /** Marks an absent variable or key (null is Python's None). */
    static final Object MISSING = new Object();

    private final Scope parent;
    private final Map<String, Object> variables = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    Scope child() {
        return new Scope(this);
    }

    Object find(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Object value = s.variables.getOrDefault(name, MISSING);
            if (value != MISSING) {
                return value;
            }
        }
        return MISSING;
    }

    void set(String name, Object value) {
        variables.put(name, value);
    }
}
