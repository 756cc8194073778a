package io.qwen4j.core.generate.output;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Finds {@code <tool_call>...</tool_call>} blocks in streamed content text and turns each into a {@link ToolCall} (or
 * a {@link ToolCallError}) as soon as it closes; the text around them passes on as content. Whitespace between the
 * content and a call, and between calls, is layout (the chat template writes it) and is dropped.
 *
 * <p>A {@code </tool_call>} inside a JSON string of the call does not end it. A block still open when the output
 * ends is read as it stands: a complete call is kept, anything else is an error naming the missing tag.
 */
public final class ToolCallParser {

    static final String OPEN = "<tool_call>";
    static final String CLOSE = "</tool_call>";

    private final Consumer<OutputEvent> sink;
    private final Supplier<String> ids;
    private final StringBuilder pending = new StringBuilder();
    private boolean inCall;
    private boolean afterCall;

    /**
     * @param sink receives {@link OutputEvent.Content}, {@link ToolCall} and {@link ToolCallError} events
     * @param ids  gives each call its id
     */
    public ToolCallParser(Consumer<OutputEvent> sink, Supplier<String> ids) {
        this.sink = sink;
        this.ids = ids;
    }

    public void append(String text) {
        pending.append(text);
        boolean progressed = true;
        while (progressed) {
            progressed = inCall ? readCall() : readContent();
        }
    }

    public void finish() {
        if (inCall) {
            OutputEvent event = ToolCallReader.read(pending.toString(), ids);
            if (event instanceof ToolCallError e) {
                event = new ToolCallError(e.raw(), "the output ended before " + CLOSE + " (" + e.error() + ")");
            }
            sink.accept(event);
        } else if (!afterCall || !pending.toString().isBlank()) {
            emitContent(pending.toString());
        }
        pending.setLength(0);
    }

    private boolean readContent() {
        if (afterCall) {
            int text = 0;
            while (text < pending.length() && Character.isWhitespace(pending.charAt(text))) {
                text++;
            }
            if (text == pending.length()) {
                return false; // only layout so far
            }
            pending.delete(0, text);
            afterCall = false;
        }
        int open = pending.indexOf(OPEN);
        if (open >= 0) {
            emitContent(pending.substring(0, Holdback.whitespaceRunStart(pending, open)));
            pending.delete(0, open + OPEN.length());
            inCall = true;
            return true;
        }
        // whitespace may turn out to be the layout before a call: it waits for what follows
        int keep = Holdback.whitespaceRunStart(pending, pending.length() - Holdback.partialTagSuffix(pending, OPEN));
        emitContent(pending.substring(0, keep));
        pending.delete(0, keep);
        return false;
    }

    private boolean readCall() {
        int close = closingTag();
        if (close < 0) {
            return false;
        }
        sink.accept(ToolCallReader.read(pending.substring(0, close), ids));
        pending.delete(0, close + CLOSE.length());
        inCall = false;
        afterCall = true;
        return true;
    }

    /** The first {@code </tool_call>} outside a JSON string, or -1. */
    private int closingTag() {
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < pending.length(); i++) {
            char c = pending.charAt(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '<' && pending.indexOf(CLOSE, i) == i) {
                return i;
            }
        }
        return -1;
    }

    private void emitContent(String text) {
        if (!text.isEmpty()) {
            sink.accept(new OutputEvent.Content(text));
        }
    }
}
