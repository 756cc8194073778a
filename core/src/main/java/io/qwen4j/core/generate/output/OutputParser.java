package io.qwen4j.core.generate.output;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The whole output pipeline: {@link ReasoningParser} first, then {@link ToolCallParser} on the content, so a
 * {@code <tool_call>} written inside the think block stays reasoning text (the model is thinking about a call, not
 * making one). Streams the events and collects them into a {@link ParsedOutput}.
 */
public final class OutputParser {

    private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ReasoningParser reasoning;
    private final ToolCallParser tools;
    private final Consumer<OutputEvent> listener;
    private final StringBuilder reasoningText = new StringBuilder();
    private final StringBuilder contentText = new StringBuilder();
    private final List<ToolCall> calls = new ArrayList<>();
    private final List<ToolCallError> errors = new ArrayList<>();

    /** A parser that names tool calls {@code call_} plus 24 random letters and digits, as OpenAI's API does. */
    public OutputParser(ThinkingStart start, Consumer<OutputEvent> listener) {
        this(start, listener, OutputParser::randomCallId);
    }

    /**
     * @param listener receives every event as soon as it is final (may be null)
     * @param callIds  gives each tool call its id
     */
    public OutputParser(ThinkingStart start, Consumer<OutputEvent> listener, Supplier<String> callIds) {
        this.listener = listener == null ? e -> { } : listener;
        this.tools = new ToolCallParser(this::collect, callIds);
        this.reasoning = new ReasoningParser(start, e -> {
            if (e instanceof OutputEvent.Content c) {
                tools.append(c.text());
            } else {
                collect(e);
            }
        });
    }

    public void append(String text) {
        if (!text.isEmpty()) {
            reasoning.append(text);
        }
    }

    /** Ends the output: what was held back is emitted. */
    public void finish() {
        reasoning.finish();
        tools.finish();
    }

    public ReasoningParser.Phase phase() {
        return reasoning.phase();
    }

    /** Whether a think block was opened (by the prompt or the model). */
    public boolean sawThinkBlock() {
        return reasoning.sawThinkBlock();
    }

    /** The output so far (complete after {@link #finish()}). */
    public ParsedOutput result() {
        return new ParsedOutput(reasoning.sawThinkBlock() ? reasoningText.toString() : null, contentText.toString(),
                calls, errors);
    }

    private void collect(OutputEvent e) {
        switch (e) {
            case OutputEvent.Reasoning r -> reasoningText.append(r.text());
            case OutputEvent.Content c -> contentText.append(c.text());
            case ToolCall call -> calls.add(call);
            case ToolCallError error -> errors.add(error);
        }
        listener.accept(e);
    }

    private static String randomCallId() {
        StringBuilder id = new StringBuilder("call_");
        for (int i = 0; i < 24; i++) {
            id.append(ID_CHARS.charAt(RANDOM.nextInt(ID_CHARS.length())));
        }
        return id.toString();
    }
}
