package io.qwen4j.core.constrain;

import io.qwen4j.core.constrain.Automaton.State;

/** One generation's progress through a grammar. */
final class GrammarConstraint implements TokenConstraint {

    private final ConstraintEngine engine;
    private final TokenVocabulary vocabulary;
    private State state;
    private boolean ended;

    GrammarConstraint(ConstraintEngine engine, TokenVocabulary vocabulary) {
        this.engine = engine;
        this.vocabulary = vocabulary;
        this.state = engine.start();
    }

    @Override
    public void mask(float[] logits, int vocabularySize) {
        if (ended) {
            throw new IllegalStateException("the generation already ended with an end-of-generation token");
        }
        long[] allowed = engine.allowed(state);
        int n = Math.min(vocabularySize, logits.length);
        int covered = Math.min(n, vocabulary.modelVocabularySize);
        for (int w = 0; w << 6 < covered; w++) {
            long bits = allowed[w];
            if (bits == -1L) {
                continue;
            }
            int base = w << 6;
            int end = Math.min(base + 64, covered);
            for (int i = base; i < end; i++) {
                if ((bits >>> (i - base) & 1L) == 0) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        for (int i = covered; i < n; i++) {
            logits[i] = Float.NEGATIVE_INFINITY;
        }
    }

    @Override
    public void accept(int tokenId) {
        if (ended) {
            throw new IllegalStateException("the generation already ended with an end-of-generation token");
        }
        if (vocabulary.isEndOfGeneration(tokenId)) {
            if (!state.complete) {
                throw new IllegalArgumentException("end-of-generation token " + tokenId
                        + " before the grammar is complete");
            }
            ended = true;
            return;
        }
        State next = engine.advance(state, tokenId);
        if (next == null) {
            throw new IllegalArgumentException("token " + tokenId + " is not allowed by the grammar here");
        }
        state = next;
    }

    @Override
    public boolean isComplete() {
        return state.complete;
    }
}
