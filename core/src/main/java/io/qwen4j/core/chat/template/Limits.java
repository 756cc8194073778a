package io.qwen4j.core.chat.template;

/** Bounds that keep a faulty template from exhausting memory or the stack. */
final class Limits {
    /** Largest string or list a template may build in one operation (elements or chars). */
    static final long MAX_SIZE = 50_000_000L;
    /** Deepest macro call nesting, well beyond any real chat template. */
    static final int MAX_MACRO_DEPTH = 100;
    /** Deepest expression and block nesting the parser accepts. */
    static final int MAX_NESTING = 200;
    /** Largest range(), as Jinja's sandbox allows. */
    static final int MAX_RANGE = 100_000;

    private Limits() {
    }

    static void checkSize(long size) {
        if (size > MAX_SIZE) {
            throw new PyError("result too large (" + size + " elements; the limit is " + MAX_SIZE + ")");
        }
    }
}
