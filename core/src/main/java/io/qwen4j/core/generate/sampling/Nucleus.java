package io.qwen4j.core.generate.sampling;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Top-p over the whole vocabulary without sorting it, in four steps:
 * <ol>
 *   <li>SIMD: the weights {@code exp(logit - max)}, their total, and the mass within a few spans below the top logit
 *       (0.5 to 32 nats). The narrowest span holding at least p of the mass contains the whole nucleus (the nucleus
 *       is a prefix of the tokens by logit, and so is every span).</li>
 *   <li>SIMD compress: the tokens of that span, usually a small part of the vocabulary.</li>
 *   <li>Those tokens go into buckets by distance below the top ({@value #BUCKETS_PER_NAT} per nat), each bucket
 *       summing its mass. Buckets before the one where the running mass reaches p are kept whole (all of their
 *       tokens are needed).</li>
 *   <li>Only the tokens of that boundary bucket are sorted, to find the exact cut.</li>
 * </ol>
 * Every pass over many tokens is SIMD except the bucket histogram (a scatter).
 */
final class Nucleus {

    static final int BUCKETS_PER_NAT = 64;
    private static final int BUCKETS = 64 * BUCKETS_PER_NAT; // past 64 nats, e^-64 of the top: all in the last bucket
    private static final float[] SPANS = {0.5f, 1, 2, 4, 8, 16, 32}; // nats below the top logit; 7, see sumSpans
    // Span masses are float SIMD sums; a span is trusted to hold the nucleus only with this relative margin.
    private static final double SPAN_MARGIN = 1e-4;
    private static final int FLUSH_EVERY = 64; // vector iterations between float-to-double flushes of the sums
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final int LANES = FLOATS.length();

    private final double[] mass = new double[BUCKETS];
    private final double[] spanMass = new double[SPANS.length + 1]; // the last: the total
    private final float[] weights;    // [vocab] exp(logit - max) by token id
    private final int[] spanIds;      // [vocab + lanes] the tokens of the chosen span (a vector store may overhang)
    private final float[] spanLogits; // [vocab + lanes] their logits
    private final float[] spanWeights; // [vocab + lanes] their weights
    private final int[] spanBuckets;  // [vocab + lanes] their buckets
    private final long[] keys;        // [vocab] the boundary bucket's tokens, for sorting

    Nucleus(int vocabularySize) {
        if (INTS.length() != LANES) {
            throw new IllegalStateException("int and float vectors differ in lanes: " + INTS + ", " + FLOATS);
        }
        this.weights = new float[vocabularySize];
        this.spanIds = new int[vocabularySize + LANES];
        this.spanLogits = new float[vocabularySize + LANES];
        this.spanWeights = new float[vocabularySize + LANES];
        this.spanBuckets = new int[vocabularySize + LANES];
        this.keys = new long[vocabularySize];
    }

    /**
     * Writes to {@code ids/logitsOut[0..return)} the smallest set of highest-probability tokens of
     * {@code logits[0..n)} whose probability (softmax at temperature 1) sums to at least {@code topP}; never empty.
     * The order is by bucket, not sorted. {@code max} is the largest logit, finite; there is no NaN.
     */
    int select(float[] logits, int n, float max, float topP, int[] ids, float[] logitsOut) {
        VectorMath.shiftedExp(logits, n, max, 1f, weights);
        sumSpans(logits, n, max);
        double target = topP * spanMass[SPANS.length];
        for (int j = 0; j < SPANS.length; j++) {
            if (spanMass[j] >= target * (1 + SPAN_MARGIN)) {
                int kept = selectWithin(logits, n, max, max - SPANS[j], target, ids, logitsOut);
                if (kept > 0) {
                    return kept;
                }
                break; // rounding fooled the span test: take everything
            }
        }
        return selectWithin(logits, n, max, Float.NEGATIVE_INFINITY, target, ids, logitsOut);
    }

    /** spanMass[j] = sum of weights with logit >= max - SPANS[j]; spanMass[last] = sum of all weights. */
    private void sumSpans(float[] logits, int n, float max) {
        // One accumulator per span, in locals: vectors kept in an array would be boxed on every iteration.
        Arrays.fill(spanMass, 0);
        FloatVector zero = FloatVector.zero(FLOATS);
        FloatVector s0 = zero, s1 = zero, s2 = zero, s3 = zero, s4 = zero, s5 = zero, s6 = zero, all = zero;
        float t0 = max - SPANS[0], t1 = max - SPANS[1], t2 = max - SPANS[2], t3 = max - SPANS[3];
        float t4 = max - SPANS[4], t5 = max - SPANS[5], t6 = max - SPANS[6];
        int upper = FLOATS.loopBound(n);
        int i = 0;
        while (i < upper) {
            for (int end = Math.min(upper, i + FLUSH_EVERY * LANES); i < end; i += LANES) {
                FloatVector logit = FloatVector.fromArray(FLOATS, logits, i);
                FloatVector weight = FloatVector.fromArray(FLOATS, weights, i);
                s0 = s0.add(weight, logit.compare(VectorOperators.GE, t0));
                s1 = s1.add(weight, logit.compare(VectorOperators.GE, t1));
                s2 = s2.add(weight, logit.compare(VectorOperators.GE, t2));
                s3 = s3.add(weight, logit.compare(VectorOperators.GE, t3));
                s4 = s4.add(weight, logit.compare(VectorOperators.GE, t4));
                s5 = s5.add(weight, logit.compare(VectorOperators.GE, t5));
                s6 = s6.add(weight, logit.compare(VectorOperators.GE, t6));
                all = all.add(weight);
            }
            spanMass[0] += s0.reduceLanes(VectorOperators.ADD);
            spanMass[1] += s1.reduceLanes(VectorOperators.ADD);
            spanMass[2] += s2.reduceLanes(VectorOperators.ADD);
            spanMass[3] += s3.reduceLanes(VectorOperators.ADD);
            spanMass[4] += s4.reduceLanes(VectorOperators.ADD);
            spanMass[5] += s5.reduceLanes(VectorOperators.ADD);
            spanMass[6] += s6.reduceLanes(VectorOperators.ADD);
            spanMass[7] += all.reduceLanes(VectorOperators.ADD);
            s0 = zero;
            s1 = zero;
            s2 = zero;
            s3 = zero;
            s4 = zero;
            s5 = zero;
            s6 = zero;
            all = zero;
        }
        for (; i < n; i++) {
            for (int j = 0; j < SPANS.length; j++) {
                spanMass[j] += logits[i] >= max - SPANS[j] ? weights[i] : 0;
            }
            spanMass[SPANS.length] += weights[i];
        }
    }

    /** The nucleus among the tokens with logit >= floor; 0 if their mass falls short of the target. */
    private int selectWithin(float[] logits, int n, float max, float floor, double target, int[] ids,
                             float[] logitsOut) {
        int count = compressAtLeast(logits, n, max, floor);
        Arrays.fill(mass, 0);
        for (int k = 0; k < count; k++) {
            mass[spanBuckets[k]] += spanWeights[k];
        }
        int boundary = 0;
        double before = 0;
        while (before + mass[boundary] < target) {
            before += mass[boundary++];
            if (boundary == BUCKETS) {
                return 0;
            }
        }

        int kept = 0;
        int inBoundary = 0;
        int k = 0;
        for (int upper = INTS.loopBound(count); k < upper; k += LANES) {
            // Kept tokens go to the output, boundary tokens back into the span buffers at or before k: a store of
            // LANES entries at inBoundary <= k ends inside the vector just read, never in one still to be read.
            IntVector bucket = IntVector.fromArray(INTS, spanBuckets, k);
            VectorMask<Integer> keep = bucket.lt(boundary);
            VectorMask<Integer> tie = bucket.eq(boundary);
            IntVector id = IntVector.fromArray(INTS, spanIds, k);
            FloatVector logit = FloatVector.fromArray(FLOATS, spanLogits, k);
            id.compress(keep).intoArray(ids, kept);
            logit.compress(keep.cast(FLOATS)).intoArray(logitsOut, kept);
            kept += keep.trueCount();
            if (tie.anyTrue()) {
                id.compress(tie).intoArray(spanIds, inBoundary);
                logit.compress(tie.cast(FLOATS)).intoArray(spanLogits, inBoundary);
                inBoundary += tie.trueCount();
            }
        }
        for (; k < count; k++) {
            int bucket = spanBuckets[k];
            if (bucket < boundary) {
                ids[kept] = spanIds[k];
                logitsOut[kept++] = spanLogits[k];
            } else if (bucket == boundary) {
                spanIds[inBoundary] = spanIds[k];
                spanLogits[inBoundary++] = spanLogits[k];
            }
        }
        for (int j = 0; j < inBoundary; j++) {
            keys[j] = SortKeys.of(spanLogits[j], spanIds[j]);
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

    /**
     * Copies the tokens with logit >= floor, in id order, with their logits, weights and buckets, to the span
     * buffers; returns how many.
     */
    private int compressAtLeast(float[] logits, int n, float max, float floor) {
        int count = 0;
        int i = 0;
        IntVector lane = IntVector.zero(INTS).addIndex(1);
        for (int upper = FLOATS.loopBound(n); i < upper; i += LANES) {
            FloatVector logit = FloatVector.fromArray(FLOATS, logits, i);
            VectorMask<Float> hits = logit.compare(VectorOperators.GE, floor);
            if (hits.anyTrue()) {
                VectorMask<Integer> intHits = hits.cast(INTS);
                logit.compress(hits).intoArray(spanLogits, count);
                FloatVector.fromArray(FLOATS, weights, i).compress(hits).intoArray(spanWeights, count);
                lane.add(i).compress(intHits).intoArray(spanIds, count);
                // bucket = min((max - logit) * per-nat, last), as bucket() computes it lane by lane
                ((IntVector) logit.neg().add(max).mul(BUCKETS_PER_NAT).min(BUCKETS - 1)
                        .convert(VectorOperators.F2I, 0)).compress(intHits).intoArray(spanBuckets, count);
                count += hits.trueCount();
            }
        }
        for (; i < n; i++) {
            if (logits[i] >= floor) {
                spanLogits[count] = logits[i];
                spanWeights[count] = weights[i];
                spanBuckets[count] = bucket(logits[i], max);
                spanIds[count++] = i;
            }
        }
        return count;
    }

    private static int bucket(float logit, float max) {
        float distance = (max - logit) * BUCKETS_PER_NAT; // >= 0; +inf for a -inf logit
        return distance < BUCKETS - 1 ? (int) distance : BUCKETS - 1;
    }
}
