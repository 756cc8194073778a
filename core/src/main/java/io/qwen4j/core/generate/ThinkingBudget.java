package io.qwen4j.core.generate;

/**
 * A limit on the think block (Qwen3 report, section 4.3): once the model has written {@code tokens} tokens of
 * reasoning without closing the block, the generator feeds {@code stopText} to the model as if it had written it (it
 * appears in the output and the reasoning), then lets the model answer.
 *
 * <p>A budget of 0 closes the block before the model writes anything, exactly as Qwen3's template does for
 * enable_thinking=false: the output starts with an empty block, {@code <think>\n\n</think>\n\n} (only what the prompt
 * does not already hold of it is added), and {@code stopText} is not used.
 *
 * @param tokens   reasoning tokens the model may write, counting its opening {@code <think>}; at least 0
 * @param stopText must contain {@code </think>}, or the block would never close
 */
public record ThinkingBudget(int tokens, String stopText) {

    /** What Qwen's own serving examples append. */
    public static final String DEFAULT_STOP_TEXT = "\n\nConsidering the limited time by the user, I have to give the "
            + "solution based on the thinking directly now.\n</think>\n\n";

    /** The empty think block Qwen3's template writes when thinking is off. */
    static final String EMPTY_BLOCK = "<think>\n\n</think>\n\n";

    public ThinkingBudget {
        if (tokens < 0) {
            throw new IllegalArgumentException("the thinking budget must not be negative, got " + tokens);
        }
        if (stopText == null || !stopText.contains("</think>")) {
            throw new IllegalArgumentException("the stop-thinking text must contain </think> to close the think block, got "
                    + (stopText == null ? "none" : "\"" + stopText + "\""));
        }
    }

    public static ThinkingBudget of(int tokens) {
        return new ThinkingBudget(tokens, DEFAULT_STOP_TEXT);
    }

    /**
     * What closes a block that the prompt opened and that holds {@code written} so far (the text after the prompt's
     * last {@code <think>}), so that the block reads as the empty one.
     */
    static String closeEmpty(String written) {
        String inside = EMPTY_BLOCK.substring("<think>".length());
        return inside.startsWith(written) ? inside.substring(written.length()) : "\n</think>\n\n";
    }
}
