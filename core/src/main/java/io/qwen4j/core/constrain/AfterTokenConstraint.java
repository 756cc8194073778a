package io.qwen4j.core.constrain;

/**
 * Leaves the output free until a trigger token ({@code </think>}) has been generated, then applies another
 * constraint: with thinking on, the reasoning is unconstrained and the answer follows the grammar. Before the
 * trigger the end-of-generation tokens are refused, so the generation cannot end without an answer.
 */
final class AfterTokenConstraint implements TokenConstraint {

    private final int trigger;
    private final int[] endOfGeneration;
    private final TokenConstraint answer;
    private boolean started;

    AfterTokenConstraint(int trigger, int[] endOfGeneration, TokenConstraint answer) {
        this.trigger = trigger;
        this.endOfGeneration = endOfGeneration;
        this.answer = answer;
    }

    @Override
    public void mask(float[] logits, int vocabularySize) {
        if (started) {
            answer.mask(logits, vocabularySize);
            return;
        }
        for (int id : endOfGeneration) {
            if (id < vocabularySize) {
                logits[id] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    @Override
    public void accept(int tokenId) {
        if (started) {
            answer.accept(tokenId);
        } else if (tokenId == trigger) {
            started = true;
        }
    }

    @Override
    public boolean isComplete() {
        return started && answer.isComplete();
    }
}
