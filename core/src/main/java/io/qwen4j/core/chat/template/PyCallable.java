package io.qwen4j.core.chat.template;

/** Something a template can call: a macro, a global function or a bound method. */
interface PyCallable {
    Object call(CallArgs args);
}
