package io.qwen4j.core.generate.output;

import java.util.function.Consumer;

/**
 * Splits streamed output text into reasoning (inside {@code <think>...</think>}) and content, whatever the token
 * boundaries: tags may come as their own tokens, cut in pieces, or not at all. Text that might still become a tag is
 * held back until it is decided, so every split of the same text gives the same result.
 *
 * <p>Rules (the same as Qwen's own parsing and its chat template, so a parsed answer renders back as written):
 * <ul>
 *   <li>A think block is opened only by the prompt ({@link ThinkingStart#IN_THINK}) or by {@code <think>} at the very
 *       start of the output (whitespace before it is dropped). Later {@code <think>} text is content.</li>
 *   <li>Reasoning loses its leading and trailing newlines ({@code strip('\n')}); an empty block gives empty
 *       reasoning, never content.</li>
 *   <li>After {@code </think>}, the content's leading newlines are dropped ({@code lstrip('\n')}); every later
 *       {@code </think>} is content.</li>
 *   <li>When the prompt closed the block ({@link ThinkingStart#CLOSED}), everything is content, as written.</li>
 * </ul>
 */
public final class ReasoningParser {

    /** Where the parser is in the output. */
    public enum Phase {
        /** Nothing but whitespace (or part of {@code <think>}) so far; the model may still open a think block. */
        UNDECIDED,
        /** Inside the think block. */
        REASONING,
        /** Past the think block, or there is none. */
        CONTENT
    }

    private final Consumer<OutputEvent> sink;
    private final StringBuilder pending = new StringBuilder();
    private Phase phase;
    private boolean sawThinkBlock;
    private boolean atReasoningStart;
    private boolean stripContentNewlines;

    /** @param sink receives {@link OutputEvent.Reasoning} and {@link OutputEvent.Content} events */
    public ReasoningParser(ThinkingStart start, Consumer<OutputEvent> sink) {
        this.sink = sink;
        switch (start) {
            case IN_THINK -> openBlock();
            case CLOSED -> phase = Phase.CONTENT;
            case MAY_OPEN -> phase = Phase.UNDECIDED;
        }
    }

    public Phase phase() {
        return phase;
    }

    /** Whether a think block was opened (by the prompt or the model). */
    public boolean sawThinkBlock() {
        return sawThinkBlock;
    }

    public void append(String text) {
        pending.append(text);
        boolean progressed = true;
        while (progressed) {
            progressed = switch (phase) {
                case UNDECIDED -> decideOpening();
                case REASONING -> readReasoning();
                case CONTENT -> readContent();
            };
        }
    }

    /** Emits what is held back: the output has ended. */
    public void finish() {
        switch (phase) {
            case UNDECIDED, CONTENT -> {
                if (phase == Phase.CONTENT && stripContentNewlines) {
                    pending.delete(0, leadingNewlines());
                }
                emitContent(pending.toString());
            }
            case REASONING -> emitReasoning(pending.substring(0, Holdback.runStart(pending, pending.length(), '\n')));
        }
        pending.setLength(0);
    }

    private boolean decideOpening() {
        int first = 0;
        while (first < pending.length() && Character.isWhitespace(pending.charAt(first))) {
            first++;
        }
        String rest = pending.substring(first);
        if (rest.startsWith(ThinkingStart.OPEN)) {
            pending.delete(0, first + ThinkingStart.OPEN.length());
            openBlock();
            return true;
        }
        if (ThinkingStart.OPEN.startsWith(rest)) {
            return false; // only whitespace or the start of <think> so far
        }
        phase = Phase.CONTENT;
        return true;
    }

    private void openBlock() {
        phase = Phase.REASONING;
        sawThinkBlock = true;
        atReasoningStart = true;
    }

    private boolean readReasoning() {
        int close = pending.indexOf(ThinkingStart.CLOSE);
        if (close >= 0) {
            emitReasoning(pending.substring(0, Holdback.runStart(pending, close, '\n')));
            pending.delete(0, close + ThinkingStart.CLOSE.length());
            phase = Phase.CONTENT;
            stripContentNewlines = true;
            return true;
        }
        // newlines right before </think> are dropped, so they wait until something else follows them
        int keep = Holdback.runStart(pending, pending.length() - Holdback.partialTagSuffix(pending, ThinkingStart.CLOSE), '\n');
        emitReasoning(pending.substring(0, keep));
        pending.delete(0, keep);
        return false;
    }

    private boolean readContent() {
        if (stripContentNewlines) {
            pending.delete(0, leadingNewlines());
            if (pending.isEmpty()) {
                return false;
            }
            stripContentNewlines = false;
        }
        emitContent(pending.toString());
        pending.setLength(0);
        return false;
    }

    private int leadingNewlines() {
        int n = 0;
        while (n < pending.length() && pending.charAt(n) == '\n') {
            n++;
        }
        return n;
    }

    private void emitReasoning(String text) {
        if (atReasoningStart) {
            int n = 0;
            while (n < text.length() && text.charAt(n) == '\n') {
                n++;
            }
            text = text.substring(n);
            if (text.isEmpty()) {
                return;
            }
            atReasoningStart = false;
        }
        if (!text.isEmpty()) {
            sink.accept(new OutputEvent.Reasoning(text));
        }
    }

    private void emitContent(String text) {
        if (!text.isEmpty()) {
            sink.accept(new OutputEvent.Content(text));
        }
    }
}
