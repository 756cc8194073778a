package io.qwen4j.core.generate.sampling;

import java.util.Arrays;

/**
 * Top-p over the whole vocabulary without sorting it. Tokens go into buckets by their distance below the top logit
 * ({@value #BUCKETS_PER_NAT} buckets per nat), each bucket summing its probability mass. Every bucket before the one
 * where the running mass reaches p is kept whole (all of its tokens are needed); only the tokens of that boundary
 * bucket are sorted, to find the exact cut. Cost: three O(V) passes plus a sort of one bucket.
 */
final class Nucleus {

    static final int BUCKETS_PER_NAT = 64;
    private static final int BUCKETS = 64 * BUCKETS_PER_NAT; // past 64 nats, e^-64 of the top: all in the last bucket

    private final double[] mass = new double[BUCKETS];
    private final float[] weights; // [vocab] exp(logit - max)
    private final long[] keys;     // [vocab] the boundary bucket's tokens, for sorting

    Nucleus(int vocabularySize) {
        this.weights = new float[vocabularySize];
        this.keys = new long[vocabularySize];
    }

    /**
     * Writes to {@code ids/logitsOut[0..return)} the smallest set of highest-probability tokens of
     * {@code logits[0..n)} whose probability (softmax at temperature 1) sums to at least {@code topP}; never empty.
     * The order is by bucket, not sorted. {@code max} is the largest logit; there is no NaN.
     */
    int select(float[] logits, int n, float max, float topP, int[] ids, float[] logitsOut) {
        VectorMath.shiftedExp(logits, n, max, 1f, weights);
        Arrays.fill(mass, 0);
        for (int i = 0; i < n; i++) {
            mass[bucket(logits[i], max)] += weights[i];
        }
        double total = 0;
        for (double bucketMass : mass) {
            total += bucketMass;
        }
        double target = topP * total;
        int boundary = 0;
        double before = 0;
        while (boundary < BUCKETS - 1 && before + mass[boundary] < target) {
            before += mass[boundary++];
        }

        int kept = 0;
        int inBoundary = 0;
        for (int i = 0; i < n; i++) {
            float logit = logits[i];
            int b = bucket(logit, max);
            // Branch-free append: written always, counted only when kept (half kept at random would mispredict).
            ids[kept] = i;
            logitsOut[kept] = logit;
            kept += b < boundary ? 1 : 0;
            if (b == boundary) {
                keys[inBoundary++] = SortKeys.of(logit, i);
            }
        }
        Arrays.sort(keys, 0, inBoundary);
        double cumulative = before;
        for (int j = inBoundary - 1; j >= 0; j--) {
            int id = SortKeys.id(keys[j]);
            ids[kept] = id;
            logitsOut[kept++] = logits[id];
            cumulative += weights[id];
            if (cumulative >= target) {
                break;
            }
        }
        return kept;
    }

    private static int bucket(float logit, float max) {
        float distance = (max - logit) * BUCKETS_PER_NAT; // >= 0; +inf for a -inf logit
        return distance < BUCKETS - 1 ? (int) distance : BUCKETS - 1;
    }
}
