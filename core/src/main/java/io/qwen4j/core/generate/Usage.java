package io.qwen4j.core.generate;

/**
 * Token counts of one generation, as OpenAI's API reports them.
 *
 * @param promptTokens     tokens of the prompt
 * @param completionTokens tokens after the prompt: the model's, the injected stop-thinking text, and the
 *                         end-of-generation token that ended it
 * @param reasoningTokens  the part of the completion that is the think block: every token up to and including the
 *                         one that closed it (all of them when it never closed), 0 when there was none
 */
public record Usage(int promptTokens, int completionTokens, int reasoningTokens) {

    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || reasoningTokens < 0 || reasoningTokens > completionTokens) {
            throw new IllegalArgumentException("inconsistent usage: prompt " + promptTokens + ", completion "
                    + completionTokens + ", reasoning " + reasoningTokens);
        }
    }

    /** Completion tokens that are the answer. */
    public int answerTokens() {
        return completionTokens - reasoningTokens;
    }
}
