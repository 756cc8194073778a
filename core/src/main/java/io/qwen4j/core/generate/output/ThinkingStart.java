package io.qwen4j.core.generate.output;

/**
 * Where the output starts relative to a think block, read from the end of the rendered prompt: the parser must follow
 * what the prompt actually says, not what was asked for (a template may ignore {@code enable_thinking}, or open the
 * block itself as QwQ's does).
 */
public enum ThinkingStart {
    /** The prompt opened a think block and left it open: the output starts as reasoning. */
    IN_THINK,
    /** The prompt already closed the think block (e.g. Qwen3 with enable_thinking=false): nothing is reasoning. */
    CLOSED,
    /** No think block in the turn being answered: the model may open one itself at the start of its output. */
    MAY_OPEN;

    static final String OPEN = "<think>";
    static final String CLOSE = "</think>";

    /**
     * Reads the turn being answered: the text after the prompt's last {@code <|im_start|>} (the whole prompt when it
     * has none, as a raw prompt may).
     */
    public static ThinkingStart ofPrompt(String prompt) {
        int turn = prompt.lastIndexOf("<|im_start|>");
        String tail = turn < 0 ? prompt : prompt.substring(turn);
        int open = tail.lastIndexOf(OPEN);
        int close = tail.lastIndexOf(CLOSE);
        if (open > close) {
            return IN_THINK;
        }
        return close >= 0 ? CLOSED : MAY_OPEN;
    }
}
