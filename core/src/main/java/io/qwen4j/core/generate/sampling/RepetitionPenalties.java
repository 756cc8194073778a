package io.qwen4j.core.generate.sampling;

/**
 * The repetition, presence and frequency penalties of llama.cpp (and OpenAI for the last two), applied to the logits
 * of the distinct tokens in a window of the history. Holds per-token counters sized to the vocabulary so that no call
 * allocates; the counters are back to zero between calls.
 */
final class RepetitionPenalties {

    private final float repetition;
    private final float presence;
    private final float frequency;
    private final int[] counts;   // [vocab] occurrences in the window, zero outside apply()
    private final int[] distinct; // [vocab] the tokens whose count is non-zero, in first-seen order

    RepetitionPenalties(SamplerConfig config, int vocabularySize) {
        this.repetition = config.repetitionPenalty();
        this.presence = config.presencePenalty();
        this.frequency = config.frequencyPenalty();
        this.counts = new int[vocabularySize];
        this.distinct = new int[vocabularySize];
    }

    /** Penalises {@code logits} for the tokens {@code history[from..to)}. */
    void apply(float[] logits, int[] history, int from, int to) {
        int distinctCount = 0;
        for (int i = from; i < to; i++) {
            int token = history[i];
            if (token < 0 || token >= counts.length) {
                clear(distinctCount);
                throw new IllegalArgumentException("history[" + i + "] = " + token
                        + " is not a token id of a vocabulary of " + counts.length);
            }
            if (counts[token]++ == 0) {
                distinct[distinctCount++] = token;
            }
        }
        for (int j = 0; j < distinctCount; j++) {
            int token = distinct[j];
            int count = counts[token];
            counts[token] = 0;
            float logit = logits[token];
            // Dividing a negative logit would raise it; multiplying lowers it, as llama.cpp does.
            logit = logit <= 0 ? logit * repetition : logit / repetition;
            logits[token] = logit - (count * frequency + presence);
        }
    }

    private void clear(int distinctCount) {
        for (int j = 0; j < distinctCount; j++) {
            counts[distinct[j]] = 0;
        }
    }
}
