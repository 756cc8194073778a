package io.qwen4j.core.generate.sampling;

import java.util.Objects;

/**
 * The tokens a {@link Sampler} kept in its last call and the probability it drew each with, sorted by probability
 * descending (lowest id first on ties). Only the first {@code size} entries of the arrays are meaningful.
 */
public record Candidates(int[] ids, float[] probs, int size) {

    public Candidates {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(probs, "probs");
        if (size < 0 || size > ids.length || size > probs.length) {
            throw new IllegalArgumentException("size " + size + " does not fit ids[" + ids.length
                    + "] and probs[" + probs.length + "]");
        }
    }
}
