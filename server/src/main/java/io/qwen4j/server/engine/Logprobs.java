package io.qwen4j.server.engine;

import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/** Log probabilities of a logits row: a log-softmax at temperature 1 and the k most likely tokens. */
final class Logprobs {

    private Logprobs() {
    }

    static TokenLogprob of(float[] logits, int vocab, int token, int top, Tokenizer tokenizer) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[i] - max);
        }
        double logZ = max + Math.log(sum);
        List<TokenLogprob> best = new ArrayList<>(top);
        for (int id : topIds(logits, vocab, top)) {
            best.add(new TokenLogprob(id, text(tokenizer, id), bytes(tokenizer, id), logits[id] - logZ, List.of()));
        }
        return new TokenLogprob(token, text(tokenizer, token), bytes(tokenizer, token), logits[token] - logZ, best);
    }

    /**
     * The k highest finite logits (masked tokens are never listed), highest first, lowest id first on ties:
     * insertion into a small sorted array, since k is at most 20.
     */
    static int[] topIds(float[] logits, int vocab, int k) {
        int size = 0;
        int[] ids = new int[Math.min(k, vocab)];
        for (int i = 0; i < vocab && ids.length > 0; i++) {
            float v = logits[i];
            if (v == Float.NEGATIVE_INFINITY || size == ids.length && !(v > logits[ids[size - 1]])) {
                continue;
            }
            int at = size < ids.length ? size++ : size - 1;
            while (at > 0 && logits[ids[at - 1]] < v) {
                ids[at] = ids[at - 1];
                at--;
            }
            ids[at] = i;
        }
        return java.util.Arrays.copyOf(ids, size);
    }

    static byte[] bytes(Tokenizer tokenizer, int id) {
        return tokenizer.isKnown(id) ? tokenizer.tokenBytes(id) : new byte[0];
    }

    static String text(Tokenizer tokenizer, int id) {
        return tokenizer.decode(new int[] {id});
    }
}
