package io.qwen4j.core.model;

import io.qwen4j.core.tensor.MatMul;
import io.qwen4j.core.tensor.Parallel;
import io.qwen4j.core.tensor.VectorOps;

/**
 * The one Qwen forward pass for every generation: pre-norm decoder layers of grouped-query self-attention
 * (separate or fused q/k/v projections, optional bias, optional QK-norm before RoPE, optional logn scaling) and a
 * feed-forward that is a SwiGLU or a mixture of SwiGLU experts, then a final RMSNorm and the output projection.
 * It processes a batch of rows at once, each row a token of some sequence at some position: consecutive tokens of
 * one sequence (prefill) or the next token of several sequences (batched decoding). Every matrix product goes
 * through {@link MatMul}, which reads each weight once per tile of rows; only attention looks at each row's own
 * sequence.
 */
final class Transformer {

    private final ModelConfig c;
    private final ModelWeights w;
    private final float attentionScale;
    private final MixtureOfExperts experts;
    private final PrefillAttention prefillAttention;

    Transformer(ModelConfig config, ModelWeights weights) {
        this.c = config;
        this.w = weights;
        this.attentionScale = (float) (1.0 / Math.sqrt(config.headDim()));
        this.experts = config.moe() == null ? null : new MixtureOfExperts(config);
        this.prefillAttention = new PrefillAttention(config, attentionScale);
    }

    ModelConfig config() {
        return c;
    }

    /**
     * Runs {@code n} tokens starting at sequence position {@code pos}, appending their keys and values to the cache.
     *
     * @param allRows true: logits for every token ({@code n * vocab} values); false: only for the last token
     * @return the state's logits buffer, filled for the requested rows
     */
    float[] forward(InferenceState s, int[] tokens, int off, int n, int pos, boolean allRows) {
        for (int t = 0; t < n; t++) {
            s.rowSequence[t] = s;
            s.rowPosition[t] = pos + t;
        }
        return run(s, tokens, off, n, allRows);
    }

    /**
     * One decoding step of several sequences: row t appends {@code tokens[t]} to {@code sequences[t]} at
     * {@code positions[t]}. The activations live in {@code scratch}; each row's keys and values go to its own
     * sequence's cache. Returns the logits of every row ({@code n * vocab} values in scratch's buffer).
     */
    float[] forwardBatch(InferenceState scratch, InferenceState[] sequences, int[] positions, int[] tokens, int n) {
        for (int t = 0; t < n; t++) {
            scratch.rowSequence[t] = sequences[t];
            scratch.rowPosition[t] = positions[t];
        }
        return run(scratch, tokens, 0, n, true);
    }

    private float[] run(InferenceState s, int[] tokens, int off, int n, boolean allRows) {
        int hidden = c.hiddenSize();
        float[] x = s.x;
        for (int t = 0; t < n; t++) {
            w.tokenEmbd().dequantizeRow(tokens[off + t], x, t * hidden);
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            LayerWeights layer = w.layers().get(l);
            attention(s, layer, l, n);
            feedForward(s, layer, n);
        }
        int rows = allRows ? n : 1;
        int first = allRows ? 0 : n - 1;
        for (int t = 0; t < rows; t++) {
            VectorOps.rmsnorm(s.xb, t * hidden, x, (first + t) * hidden, w.outputNorm(), hidden, c.rmsNormEps());
        }
        MatMul.apply(w.output(), s.xb, rows, s.logits);
        return s.logits;
    }

    private void attention(InferenceState s, LayerWeights layer, int l, int n) {
        int hidden = c.hiddenSize();
        LayerWeights.Attention a = layer.attention();
        float eps = c.rmsNormEps();

        for (int t = 0; t < n; t++) {
            VectorOps.rmsnorm(s.xb, t * hidden, s.x, t * hidden, layer.attnNorm(), hidden, eps);
        }
        if (a.qkv() != null) {
            fusedProjection(s, a, n);
        } else {
            MatMul.apply(s.xb, n, a.q(), s.q, a.k(), s.k, a.v(), s.v);
        }
        AttentionJobs jobs = s.attentionJobs;
        if (jobs == null || jobs.transformer != this) {
            jobs = new AttentionJobs(this);
            s.attentionJobs = jobs;
        }
        jobs.set(s, a, l);
        Parallel.parallelFor(n, jobs.prepareRows);
        if (PrefillAttention.applies(s, n)) {
            prefillAttention.run(s, l, n);
        } else {
            // one task per (token, KV head): the query heads sharing a KV head (GQA) read each key and value row
            // once, while it is in L1, instead of once per query head
            Parallel.parallelFor(n * c.numKeyValueHeads(), jobs.attendGroups);
        }
        MatMul.apply(a.output(), s.attnOut, n, s.xb);
        VectorOps.add(s.x, 0, s.xb, 0, n * hidden);
    }

    /**
     * The two parallel steps of a layer's attention as bodies made once per inference state: lambdas capturing the
     * layer's values were two allocations per layer and decoded token. Set before each layer's calls; what they
     * hold (the state itself, the model's weights) lives as long as the state anyway.
     */
    static final class AttentionJobs {
        final Transformer transformer;
        final Parallel.IntRangeBody prepareRows = this::prepareRows;
        final Parallel.IntRangeBody attendGroups = this::attendGroups;
        private InferenceState s;
        private LayerWeights.Attention a;
        private int l;

        AttentionJobs(Transformer transformer) {
            this.transformer = transformer;
        }

        void set(InferenceState s, LayerWeights.Attention a, int l) {
            this.s = s;
            this.a = a;
            this.l = l;
        }

        /** Rows [t0, t1): biases, QK-norm, RoPE and logn scaling of q and k, then k and v into the cache. */
        private void prepareRows(int t0, int t1) {
            ModelConfig c = transformer.c;
            InferenceState s = this.s;
            LayerWeights.Attention a = this.a;
            int l = this.l;
            int qDim = c.qDim();
            int kvDim = c.kvDim();
            int headDim = c.headDim();
            float eps = c.rmsNormEps();
            QwenLongContext longContext = c.qwenLongContext();
            for (int t = t0; t < t1; t++) {
                InferenceState seq = s.rowSequence[t];
                int pos = s.rowPosition[t];
                KVCache cache = seq.cache;
                if (a.qBias() != null) {
                    VectorOps.add(s.q, t * qDim, a.qBias(), 0, qDim);
                    VectorOps.add(s.k, t * kvDim, a.kBias(), 0, kvDim);
                    VectorOps.add(s.v, t * kvDim, a.vBias(), 0, kvDim);
                }
                if (a.qNorm() != null) {
                    // Qwen3 QK-norm: RMSNorm over each head's vector, before RoPE
                    for (int h = 0; h < c.numAttentionHeads(); h++) {
                        int o = t * qDim + h * headDim;
                        VectorOps.rmsnorm(s.q, o, s.q, o, a.qNorm(), headDim, eps);
                    }
                    for (int h = 0; h < c.numKeyValueHeads(); h++) {
                        int o = t * kvDim + h * headDim;
                        VectorOps.rmsnorm(s.k, o, s.k, o, a.kNorm(), headDim, eps);
                    }
                }
                seq.rope.apply(s.q, t * qDim, c.numAttentionHeads(), pos);
                seq.rope.apply(s.k, t * kvDim, c.numKeyValueHeads(), pos);
                if (longContext != null && longContext.useLognAttn()) {
                    // Qwen1 logn attention: queries past seq_length are scaled up by log(p + 1) / log(seq_length)
                    VectorOps.scale(s.q, t * qDim, qDim, longContext.lognScale(pos));
                }
                for (int h = 0; h < c.numKeyValueHeads(); h++) {
                    cache.store(l, h, pos, s.k, t * kvDim + h * headDim, s.v, t * kvDim + h * headDim);
                }
            }
        }

        /** Tasks [i0, i1) of (token, KV head): the group of query heads sharing that KV head. */
        private void attendGroups(int i0, int i1) {
            ModelConfig c = transformer.c;
            InferenceState s = this.s;
            int l = this.l;
            int qDim = c.qDim();
            int headDim = c.headDim();
            int kvHeads = c.numKeyValueHeads();
            int group = c.queriesPerKvHead();
            for (int i = i0; i < i1; i++) {
                int t = i / kvHeads;
                int kvHead = i % kvHeads;
                int last = s.rowPosition[t]; // causal: this token sees positions 0..last of its sequence
                KVCache cache = s.rowSequence[t].cache;
                float[] scores = s.scores(group * cache.contextLength + 2 * headDim + group);
                transformer.attendGroup(s.q, t * qDim + kvHead * group * headDim, group, cache, l, kvHead, last,
                        scores, s.attnOut);
            }
        }
    }

    /**
     * Softmax attention of {@code group} consecutive query heads (at {@code qOff}) over positions 0..last of one KV
     * head; results go to the same offsets of {@code out}. {@code scores} holds {@code group} rows of the cache's
     * context length, then two rows of headDim used to widen F16 keys and values, then each query head's largest
     * score.
     */
    private void attendGroup(float[] q, int qOff, int group, KVCache cache, int layer, int kvHead, int last,
                             float[] scores, float[] out) {
        int headDim = c.headDim();
        int stride = cache.contextLength;
        int base = cache.offset(kvHead, 0);
        boolean f16 = cache.type == KVCacheType.F16;
        float[] keys = f16 ? scores : cache.keys[layer];
        float[] values = f16 ? scores : cache.values[layer];
        int row = group * stride; // the widening rows in scores
        int max = row + 2 * headDim; // each query head's largest score
        java.util.Arrays.fill(scores, max, max + group, Float.NEGATIVE_INFINITY);
        for (int p = 0; p <= last; p++) {
            int k = f16 ? widen(cache.keys16[layer], base + p * headDim, scores, row, headDim) : base + p * headDim;
            for (int g = 0; g < group; g++) {
                float score = VectorOps.dot(q, qOff + g * headDim, keys, k, headDim) * attentionScale;
                scores[g * stride + p] = score;
                scores[max + g] = Math.max(scores[max + g], score);
            }
        }
        for (int g = 0; g < group; g++) {
            VectorOps.softmaxInPlace(scores, g * stride, last + 1, scores[max + g]);
        }
        java.util.Arrays.fill(out, qOff, qOff + group * headDim, 0f);
        for (int p = 0; p <= last; p++) {
            int v = f16 ? widen(cache.values16[layer], base + p * headDim, scores, row + headDim, headDim)
                    : base + p * headDim;
            for (int g = 0; g < group; g++) {
                VectorOps.saxpy(out, qOff + g * headDim, scores[g * stride + p], values, v, headDim);
            }
        }
    }

    /** F16 bits to floats (a loop C2 turns into vector conversions); returns where they were written. */
    private static int widen(short[] src, int off, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(src[off + i]);
        }
        return dstOff;
    }

    /** Qwen1's c_attn: one product for q, k and v together, then split per token with the bias added. */
    private void fusedProjection(InferenceState s, LayerWeights.Attention a, int n) {
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int width = qDim + 2 * kvDim;
        MatMul.apply(a.qkv(), s.xb, n, s.qkv);
        float[] bias = a.qkvBias();
        for (int t = 0; t < n; t++) {
            int row = t * width;
            VectorOps.add(s.qkv, row, bias, 0, width);
            System.arraycopy(s.qkv, row, s.q, t * qDim, qDim);
            System.arraycopy(s.qkv, row + qDim, s.k, t * kvDim, kvDim);
            System.arraycopy(s.qkv, row + qDim + kvDim, s.v, t * kvDim, kvDim);
        }
    }

    private void feedForward(InferenceState s, LayerWeights layer, int n) {
        int hidden = c.hiddenSize();
        for (int t = 0; t < n; t++) {
            VectorOps.rmsnorm(s.xb, t * hidden, s.x, t * hidden, layer.ffnNorm(), hidden, c.rmsNormEps());
        }
        switch (layer.ffn()) {
            case LayerWeights.Dense d -> {
                swiglu(s, d, s.xb, n, s.xb);
                VectorOps.add(s.x, 0, s.xb, 0, n * hidden);
            }
            case LayerWeights.Moe m -> {
                experts.forward(s, m, n);
                VectorOps.add(s.x, 0, s.moe.ffnOut, 0, n * hidden);
            }
        }
    }

    /** {@code out = down(silu(gate(in)) * up(in))} for n tokens; out may be in. */
    static void swiglu(InferenceState s, LayerWeights.Dense f, float[] in, int n, float[] out) {
        int width = f.gate().rows();
        MatMul.apply(in, n, f.gate(), s.gate, f.up(), s.up);
        VectorOps.siluMul(s.gate, 0, s.up, 0, n * width);
        MatMul.apply(f.down(), s.gate, n, out);
    }
}
