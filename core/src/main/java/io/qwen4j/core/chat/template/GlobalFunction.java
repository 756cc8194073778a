package io.qwen4j.core.chat.template;

import java.util.function.Function;

/** A function the environment provides to every template, such as {@code range} or {@code raise_exception}. */
record GlobalFunction(String name, Function<CallArgs, Object> body) implements PyCallable {
    @Override
    public Object call(CallArgs args) {
        return body.apply(args);
    }

    @Override
    public String toString() {
        return "<function " + name + ">";
    }
}
