package io.qwen4j.core.chat.template;

import java.util.Iterator;

/** A one-shot lazy sequence, as Python generators returned by filters such as map and select. */
final class Generator {
    final String name;
    final Iterator<Object> iterator;

    Generator(String name, Iterator<Object> iterator) {
        this.name = name;
        this.iterator = iterator;
    }

    @Override
    public String toString() {
        return "<" + name + " object>";
    }
}
