package io.qwen4j.server.engine;

import io.qwen4j.core.model.Session;

/**
 * One of the server's parallel sequences: a session with its own KV cache, the tokens that cache holds (kept
 * after a request ends, for the prefix cache), the last logits row and the sequence generating in it, if any.
 */
final class Slot {

    enum State { FREE, PREFILL, AWAIT_PREFILL, FEED, SAMPLE, DECODE }

    final int index;
    final Session session;
    final float[] logits;
    /** tokens[0 .. session.position()) are the tokens whose keys and values the cache holds. */
    final int[] tokens;
    State state = State.FREE;
    Sequence sequence;
    int nextToken = -1;
    /** Several tokens to feed at once (injected text), in the FEED state. */
    int[] feed;

    Slot(int index, Session session) {
        this.index = index;
        this.session = session;
        this.logits = new float[session.vocabularySize()];
        this.tokens = new int[session.contextLength()];
    }

    /** Length of the common prefix of the cached tokens and {@code prompt}. */
    int commonPrefix(int[] prompt) {
        int n = Math.min(session.position(), prompt.length);
        int i = 0;
        while (i < n && tokens[i] == prompt[i]) {
            i++;
        }
        return i;
    }

    void release() {
        state = State.FREE;
        sequence = null;
        nextToken = -1;
        feed = null;
    }
}
