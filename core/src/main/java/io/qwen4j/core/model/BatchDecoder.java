package io.qwen4j.core.model;

import java.util.IdentityHashMap;

/**
 * One decoding step for several sessions of one model at once (continuous batching): the next token of every
 * sequence goes through the weights in one pass, so each weight is read once per step instead of once per
 * sequence. Attention still reads each sequence's own cache. Not thread-safe: one scheduler thread drives it.
 */
public final class BatchDecoder {

    private final Transformer transformer;
    private final InferenceState scratch;
    private final InferenceState[] states;
    private final int[] positions;
    private final int vocab;

    BatchDecoder(Transformer transformer, int maxSequences) {
        if (maxSequences < 1) {
            throw new IllegalArgumentException("a batch holds at least one sequence, got " + maxSequences);
        }
        this.transformer = transformer;
        this.scratch = new InferenceState(transformer.config(), 0, maxSequences, maxSequences);
        this.states = new InferenceState[maxSequences];
        this.positions = new int[maxSequences];
        this.vocab = transformer.config().vocabSize();
    }

    public int maxSequences() {
        return states.length;
    }

    /**
     * Appends {@code tokens[i]} to {@code sessions[i]} for {@code i < n} (distinct sessions of this model) and
     * returns the logits: row i is {@code [i * vocab, (i + 1) * vocab)} of the returned buffer, which the next
     * call overwrites. Nothing is changed if any session is full or any token is out of range.
     */
    public float[] decode(Session[] sessions, int[] tokens, int n) {
        if (n < 1 || n > states.length) {
            throw new IllegalArgumentException("batch of " + n + " sequences; this decoder takes 1.." + states.length);
        }
        IdentityHashMap<Session, Boolean> seen = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) {
            Session s = sessions[i];
            if (s.transformer() != transformer) {
                throw new IllegalArgumentException("session " + i + " belongs to another model");
            }
            if (seen.put(s, Boolean.TRUE) != null) {
                throw new IllegalArgumentException("session " + i + " appears twice in one step");
            }
            s.checkNext(tokens[i]);
        }
        for (int i = 0; i < n; i++) {
            states[i] = sessions[i].state();
            positions[i] = sessions[i].position();
        }
        float[] logits = transformer.forwardBatch(scratch, states, positions, tokens, n);
        for (int i = 0; i < n; i++) {
            sessions[i].advance();
            states[i] = null;
        }
        return logits;
    }

    public int vocabularySize() {
        return vocab;
    }
}
