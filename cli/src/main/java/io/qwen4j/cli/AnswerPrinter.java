package io.qwen4j.cli;

import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.generate.output.ToolCall;
import io.qwen4j.core.generate.output.ToolCallError;

import java.io.PrintWriter;
import java.util.function.Consumer;

/**
 * Shows one streamed answer: the reasoning first (dimmed on a terminal, plain otherwise), a blank line, then the
 * answer; tool calls on lines of their own. An empty think block shows nothing.
 */
final class AnswerPrinter implements Consumer<OutputEvent> {

    private static final String DIM = "\u001b[2m";
    private static final String RESET = "\u001b[0m";

    private final PrintWriter out;
    private final boolean ansi;
    private boolean inReasoning;
    private boolean printedAnything;

    AnswerPrinter(PrintWriter out, boolean ansi) {
        this.out = out;
        this.ansi = ansi;
    }

    @Override
    public void accept(OutputEvent event) {
        switch (event) {
            case OutputEvent.Reasoning r -> {
                if (!inReasoning && ansi) {
                    out.print(DIM);
                }
                inReasoning = true;
                out.print(r.text());
            }
            case OutputEvent.Content c -> {
                endReasoning();
                out.print(c.text());
            }
            case ToolCall call -> {
                endReasoning();
                lineStart();
                out.print("[tool call " + call.id() + "] " + call.name() + " " + call.argumentsJson());
            }
            case ToolCallError error -> {
                endReasoning();
                lineStart();
                out.print("[malformed tool call: " + error.error() + "] " + error.raw().strip());
            }
        }
        printedAnything = true;
        out.flush();
    }

    /** Ends the answer's display (a think block cut short still gets its colour reset). */
    void finish() {
        if (inReasoning && ansi) {
            out.print(RESET);
        }
        inReasoning = false;
        out.println();
        out.flush();
    }

    private void endReasoning() {
        if (inReasoning) {
            out.print(ansi ? RESET + "\n\n" : "\n\n");
            inReasoning = false;
        }
    }

    private void lineStart() {
        if (printedAnything) {
            out.println();
        }
    }
}
