package io.qwen4j.core.chat.template;

import java.util.List;

/** A Python tuple: immutable, printed with parentheses, never equal to a list. */
record PyTuple(List<Object> items) {
    PyTuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }

    static PyTuple of(Object... values) {
        return new PyTuple(java.util.Arrays.asList(values));
    }
}
