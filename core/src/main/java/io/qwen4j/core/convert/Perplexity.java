package io.qwen4j.core.convert;

import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.Session;

import java.io.IOException;
import java.util.Objects;

/**
 * Perplexity of a model over a token sequence, computed as llama-perplexity does: the tokens are cut into
 * non-overlapping chunks of the context size (a trailing partial chunk is dropped), each chunk is evaluated from an
 * empty cache, and only the second half of each chunk is scored (positions {@code ctx/2 .. ctx-2} predicting the
 * next token), so every scored token sees at least half a context. PPL = exp(mean negative log-likelihood).
 *
 * <p>With a {@link LogitsFile.Writer} the log-probabilities of every scored position are saved; with a
 * {@link LogitsFile} of a base model, the run also measures how far this model's distributions are from the base's:
 * KL divergence, top-1 agreement and the perplexity ratio (llama-perplexity's {@code --kl-divergence}).
 */
public final class Perplexity {

    /** Told after each chunk. */
    @FunctionalInterface
    public interface Listener {
        void chunkDone(int chunksDone, int chunks, double perplexitySoFar);
    }

    /** Distance from a base model over the same scored tokens. */
    public record Divergence(double meanKl, double maxKl, double top1Agreement, double basePerplexity) {
        /** PPL(this model) / PPL(base). */
        public double ratio(double perplexity) {
            return perplexity / basePerplexity;
        }
    }

    /**
     * @param divergence null unless a base was given
     */
    public record Result(int contextLength, int chunks, int scoredTokens, double meanNll, Divergence divergence) {
        public double perplexity() {
            return Math.exp(meanNll);
        }
    }

    private Perplexity() {
    }

    /** How many tokens each chunk scores. */
    public static int scoredPerChunk(int contextLength) {
        return contextLength - 1 - contextLength / 2;
    }

    /**
     * @param save     receives the log-probabilities of every scored position, or null
     * @param base     a base model's saved log-probabilities for the same tokens and context size, or null
     * @param listener told after each chunk, or null
     */
    public static Result run(Model model, int[] tokens, int contextLength, LogitsFile.Writer save, LogitsFile base,
                             Listener listener) throws IOException {
        Objects.requireNonNull(tokens, "tokens");
        if (contextLength < 2) {
            throw new IllegalArgumentException("the context size must be at least 2, got " + contextLength);
        }
        int chunks = tokens.length / contextLength;
        if (chunks == 0) {
            throw new IllegalArgumentException("the text has " + tokens.length + " tokens, fewer than one context of "
                    + contextLength + ": use a longer text or a smaller context size");
        }
        int vocab = model.config().vocabSize();
        if (base != null) {
            base.checkMatches(vocab, contextLength, tokens, chunks);
        }
        int first = contextLength / 2;
        double[] logProbs = new double[vocab];
        float[] stored = new float[vocab];
        Session session = model.newSessionWithAllLogits(contextLength);
        Accumulator acc = new Accumulator();
        int[] chunk = new int[contextLength];
        int scoredIndex = 0;
        for (int c = 0; c < chunks; c++) {
            System.arraycopy(tokens, c * contextLength, chunk, 0, contextLength);
            session.reset();
            int chunkStart = c * contextLength;
            int[] index = {scoredIndex};
            IOException[] failure = new IOException[1];
            session.ingestAll(chunk, (i, logits, off) -> {
                if (i < first || i >= contextLength - 1 || failure[0] != null) {
                    return;
                }
                logSoftmax(logits, off, vocab, logProbs);
                int next = tokens[chunkStart + i + 1];
                acc.nll += -logProbs[next];
                acc.count++;
                try {
                    if (save != null) {
                        save.writeRow(logProbs);
                    }
                    if (base != null) {
                        base.readRow(index[0], stored);
                        acc.compare(stored, logProbs, next);
                    }
                } catch (IOException e) {
                    failure[0] = e;
                }
                index[0]++;
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            scoredIndex = index[0];
            if (listener != null) {
                listener.chunkDone(c + 1, chunks, Math.exp(acc.nll / acc.count));
            }
        }
        Divergence divergence = base == null ? null : new Divergence(acc.kl / acc.count, acc.maxKl,
                (double) acc.sameTop1 / acc.count, Math.exp(acc.baseNll / acc.count));
        return new Result(contextLength, chunks, acc.count, acc.nll / acc.count, divergence);
    }

    /** {@code out[v] = logits[v] - log(sum(exp(logits)))}, in double. */
    static void logSoftmax(float[] logits, int off, int n, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < n; v++) {
            max = Math.max(max, logits[off + v]);
        }
        double sum = 0;
        for (int v = 0; v < n; v++) {
            sum += Math.exp(logits[off + v] - max);
        }
        double logZ = max + Math.log(sum);
        for (int v = 0; v < n; v++) {
            out[v] = logits[off + v] - logZ;
        }
    }

    private static final class Accumulator {
        double nll;
        int count;
        double kl;
        double maxKl;
        double baseNll;
        int sameTop1;

        /**
         * KL(base || model) = sum p_base (log p_base - log p_model), and whether both rank the same token first. The
         * model's log-probabilities are rounded to float as the base's were stored, so identical logits give exactly 0.
         */
        void compare(float[] baseLogProbs, double[] logProbs, int next) {
            double d = 0;
            int baseTop = 0;
            int top = 0;
            for (int v = 0; v < logProbs.length; v++) {
                double lb = baseLogProbs[v];
                d += Math.exp(lb) * (lb - (float) logProbs[v]);
                if (baseLogProbs[v] > baseLogProbs[baseTop]) {
                    baseTop = v;
                }
                if (logProbs[v] > logProbs[top]) {
                    top = v;
                }
            }
            d = Math.max(0, d); // a divergence is never negative; below 0 is float rounding of equal distributions
            kl += d;
            maxKl = Math.max(maxKl, d);
            baseNll += -baseLogProbs[next];
            if (baseTop == top) {
                sameTop1++;
            }
        }
    }
}
