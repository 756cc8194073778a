package io.qwen4j.core.model;

import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Matrix;
import io.qwen4j.core.tensor.Parallel;
import io.qwen4j.core.tensor.Tensor;
import io.qwen4j.core.tensor.VectorOps;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Causal attention of a prompt chunk (consecutive positions of one sequence) as matrix products: per KV head and
 * block of query tokens, the keys seen by the block are widened once to floats, the scores of all the block's
 * queries against them are one product (the tiled prefill kernel of {@link Matrix#matmul}), and after the masked
 * softmax the outputs are one more product with the transposed values. Row by row, the same work re-widened every
 * key and value row for every query token and took one lane-reduced dot product per (query, key) pair.
 */
final class PrefillAttention {

    /** Fewer tokens than this go through the row-by-row path (batched decoding, short chunks). */
    static final int MIN_TOKENS = 16;
    /** Query tokens per task: scores of a block are {@code BLOCK x keys} floats per query head. */
    private static final int BLOCK = 64;

    private final ModelConfig c;
    private final float attentionScale;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread buffers, grown to the largest block seen. */
    private static final class Scratch {
        float[] keys = new float[0];     // [position][headDim]
        float[] valuesT = new float[0];  // [headDim][position]
        float[] queries = new float[0];  // [token][headDim]
        float[] scores = new float[0];   // [token][position]
        float[] out = new float[0];      // [token][headDim]

        void ensure(int positions, int tokens, int headDim) {
            if (keys.length < positions * headDim) {
                keys = new float[positions * headDim];
                valuesT = new float[positions * headDim];
            }
            if (scores.length < tokens * positions) {
                scores = new float[tokens * positions];
            }
            if (queries.length < tokens * headDim) {
                queries = new float[tokens * headDim];
                out = new float[tokens * headDim];
            }
        }
    }

    PrefillAttention(ModelConfig c, float attentionScale) {
        this.c = c;
        this.attentionScale = attentionScale;
    }

    /** True when the n rows are consecutive positions of one sequence and there are enough of them. */
    static boolean applies(InferenceState s, int n) {
        if (n < MIN_TOKENS) {
            return false;
        }
        for (int t = 1; t < n; t++) {
            if (s.rowSequence[t] != s.rowSequence[0] || s.rowPosition[t] != s.rowPosition[0] + t) {
                return false;
            }
        }
        return true;
    }

    /** Reads the queries in {@code s.q} and the cache of layer l (keys and values of these rows already stored). */
    void run(InferenceState s, int l, int n) {
        int kvHeads = c.numKeyValueHeads();
        int blocks = (n + BLOCK - 1) / BLOCK;
        Parallel.parallelFor(kvHeads * blocks, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int t0 = (i / kvHeads) * BLOCK;
                attendBlock(s, l, i % kvHeads, t0, Math.min(n, t0 + BLOCK));
            }
        });
    }

    private void attendBlock(InferenceState s, int l, int kvHead, int t0, int t1) {
        int headDim = c.headDim();
        int qDim = c.qDim();
        int group = c.queriesPerKvHead();
        int first = s.rowPosition[0];
        int positions = first + t1; // keys 0 .. the block's last position
        int tokens = t1 - t0;
        Scratch b = scratch.get();
        b.ensure(positions, tokens, headDim);
        stage(s.rowSequence[0].cache, l, kvHead, positions, b);
        Matrix keys = matrix(b.keys, positions, headDim);
        Matrix valuesT = matrix(b.valuesT, headDim, positions);
        for (int g = 0; g < group; g++) {
            int head = kvHead * group + g;
            for (int t = t0; t < t1; t++) {
                System.arraycopy(s.q, t * qDim + head * headDim, b.queries, (t - t0) * headDim, headDim);
            }
            keys.matmul(b.queries, headDim, tokens, b.scores, positions, 0, positions);
            for (int t = t0; t < t1; t++) {
                int row = (t - t0) * positions;
                int seen = first + t + 1; // causal: positions 0 .. this token's own
                VectorOps.scale(b.scores, row, seen, attentionScale);
                VectorOps.softmaxInPlace(b.scores, row, seen);
                Arrays.fill(b.scores, row + seen, row + positions, 0f);
            }
            valuesT.matmul(b.scores, positions, tokens, b.out, headDim, 0, headDim);
            for (int t = t0; t < t1; t++) {
                System.arraycopy(b.out, (t - t0) * headDim, s.attnOut, t * qDim + head * headDim, headDim);
            }
        }
    }

    /** One KV head's keys as rows and its values transposed, as floats, for positions [0, positions). */
    private static void stage(KVCache cache, int l, int kvHead, int positions, Scratch b) {
        int headDim = cache.headDim;
        int base = cache.offset(kvHead, 0);
        int n = positions * headDim;
        if (cache.type == KVCacheType.F32) {
            System.arraycopy(cache.keys[l], base, b.keys, 0, n);
            float[] v = cache.values[l];
            for (int p = 0; p < positions; p++) {
                for (int d = 0; d < headDim; d++) {
                    b.valuesT[d * positions + p] = v[base + p * headDim + d];
                }
            }
        } else {
            short[] k = cache.keys16[l];
            short[] v = cache.values16[l];
            for (int i = 0; i < n; i++) {
                b.keys[i] = Float.float16ToFloat(k[base + i]);
            }
            for (int p = 0; p < positions; p++) {
                for (int d = 0; d < headDim; d++) {
                    b.valuesT[d * positions + p] = Float.float16ToFloat(v[base + p * headDim + d]);
                }
            }
        }
    }

    private static Matrix matrix(float[] data, int rows, int cols) {
        MemorySegment segment = MemorySegment.ofArray(data).asSlice(0, 4L * rows * cols);
        return Matrix.of(new Tensor("attention", GGMLType.F32, new long[] {rows, cols}, segment));
    }
}
