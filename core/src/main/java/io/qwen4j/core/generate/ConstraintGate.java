package io.qwen4j.core.generate;

import io.qwen4j.core.constrain.TokenConstraint;
import io.qwen4j.core.generate.output.ReasoningParser.Phase;

/**
 * Applies a token constraint to the answer only: inside a think block it masks nothing and sees nothing, so the
 * model reasons freely and the constrained text starts after {@code </think>}. When the model may still open a think
 * block (its first token, no block in the prompt), {@code <think>} is allowed besides what the constraint allows.
 * Injected text (a thinking budget's stop text) never reaches the constraint.
 */
final class ConstraintGate {

    private final TokenConstraint constraint;
    private final int thinkId;

    /** @param thinkId the {@code <think>} token, or -1 when the model cannot open a block */
    ConstraintGate(TokenConstraint constraint, int thinkId) {
        this.constraint = constraint;
        this.thinkId = thinkId;
    }

    /**
     * @param phase       where the output is before this draw
     * @param firstToken  whether nothing has been generated yet
     */
    void mask(float[] logits, int vocabularySize, Phase phase, boolean firstToken) {
        if (constraint == null || phase == Phase.REASONING) {
            return;
        }
        boolean mayOpen = firstToken && phase == Phase.UNDECIDED && thinkId >= 0 && thinkId < vocabularySize;
        float think = mayOpen ? logits[thinkId] : 0f;
        constraint.mask(logits, vocabularySize);
        if (mayOpen) {
            logits[thinkId] = think;
        }
    }

    void accept(int token, Phase phase, boolean firstToken) {
        if (constraint == null || phase == Phase.REASONING
                || (firstToken && phase == Phase.UNDECIDED && token == thinkId)) {
            return;
        }
        constraint.accept(token);
    }
}
