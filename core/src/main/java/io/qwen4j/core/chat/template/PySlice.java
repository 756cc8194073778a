package io.qwen4j.core.chat.template;

/** The value of {@code [start:stop:step]}; each bound may be null (Python None). */
record PySlice(Object start, Object stop, Object step) {
}
