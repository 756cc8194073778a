package io.qwen4j.core.chat.template;

/** A method of a str, list or dict taken as a value, as {@code message.content.startswith}. */
record BoundMethod(Object receiver, String name) implements PyCallable {
    @Override
    public Object call(CallArgs args) {
        return Methods.call(receiver, name, args);
    }

    @Override
    public String toString() {
        return "<built-in method " + name + " of " + Py.typeName(receiver) + " object>";
    }
}
