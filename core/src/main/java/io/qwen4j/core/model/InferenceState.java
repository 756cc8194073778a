package io.qwen4j.core.model;

/**
 * The mutable state of one sequence: its KV cache and the activation buffers of the forward pass, sized once for
 * the largest batch of tokens processed in one step, so that the forward pass allocates nothing. Logits are kept
 * for {@code logitRows} tokens per step: 1 for generation, the batch size when every position's logits are wanted.
 */
final class InferenceState {

    final int maxBatch;
    final KVCache cache;
    Rope rope;
    double ntkAlpha = 1;
    final float[] x;        // [maxBatch][hidden] residual stream
    final float[] xb;       // [maxBatch][hidden] normed input / sublayer output
    final float[] q;        // [maxBatch][qDim]
    final float[] k;        // [maxBatch][kvDim]
    final float[] v;        // [maxBatch][kvDim]
    final float[] qkv;      // [maxBatch][qDim + 2 kvDim], Qwen1's fused projection (else empty)
    final float[] attnOut;  // [maxBatch][qDim]
    final float[] gate;     // [maxBatch][widest FFN]
    final float[] up;       // [maxBatch][widest FFN]
    final float[] logits;   // [logitRows][vocab]
    final int logitRows;
    final MoeScratch moe;   // null for dense models
    final InferenceState[] rowSequence; // [maxBatch] the sequence (cache, RoPE) each row of a step belongs to
    final int[] rowPosition;            // [maxBatch] its position there
    Transformer.AttentionJobs attentionJobs; // the attention's parallel bodies, made on first use
    private final ThreadLocal<float[]> scores = new ThreadLocal<>();

    /** Buffers of the expert layers: routing decisions and the tokens gathered for one expert. */
    static final class MoeScratch {
        final float[] routerLogits;  // [maxBatch][experts]
        final int[] selected;        // [maxBatch][top-k] expert ids
        final float[] weights;       // [maxBatch][top-k] their weights
        final int[] count;           // [experts] tokens routed to each expert
        final int[] tokens;          // [experts][maxBatch] which tokens
        final float[] tokenWeights;  // [experts][maxBatch] with which weight
        final float[] expertIn;      // [maxBatch][hidden] gathered inputs
        final float[] expertOut;     // [maxBatch][hidden]
        final float[] ffnOut;        // [maxBatch][hidden] weighted sum of the experts
        private MixtureOfExperts.Together together;

        MoeScratch(ModelConfig c, int maxBatch) {
            int e = c.moe().numExperts();
            int k = c.moe().numExpertsPerTok();
            routerLogits = new float[maxBatch * e];
            selected = new int[maxBatch * k];
            weights = new float[maxBatch * k];
            count = new int[e];
            tokens = new int[e * maxBatch];
            tokenWeights = new float[e * maxBatch];
            expertIn = new float[maxBatch * c.hiddenSize()];
            expertOut = new float[maxBatch * c.hiddenSize()];
            ffnOut = new float[maxBatch * c.hiddenSize()];
        }

        /** Buffers for decoding's experts together, for at least {@code rows} gathered token rows. */
        MixtureOfExperts.Together together(int rows, int hidden, int width) {
            if (together == null || together.experts.length < rows) {
                together = new MixtureOfExperts.Together(rows, hidden, width);
            }
            return together;
        }
    }

    /** @param contextLength 0 for a scratch state of batched decoding, which owns no cache */
    InferenceState(ModelConfig c, int contextLength, KVCacheType cacheType, int maxBatch, int logitRows) {
        this.maxBatch = maxBatch;
        this.cache = contextLength == 0 ? null : new KVCache(c, contextLength, cacheType);
        this.rope = contextLength == 0 ? null : new Rope(c, contextLength, 1);
        this.rowSequence = new InferenceState[maxBatch];
        this.rowPosition = new int[maxBatch];
        x = new float[maxBatch * c.hiddenSize()];
        xb = new float[maxBatch * c.hiddenSize()];
        q = new float[maxBatch * c.qDim()];
        k = new float[maxBatch * c.kvDim()];
        v = new float[maxBatch * c.kvDim()];
        qkv = new float[c.fusedQkv() ? maxBatch * (c.qDim() + 2 * c.kvDim()) : 0];
        attnOut = new float[maxBatch * c.qDim()];
        int widest = c.intermediateSize();
        if (c.moe() != null) {
            widest = Math.max(widest, Math.max(c.moe().moeIntermediateSize(), c.moe().sharedExpertIntermediateSize()));
        }
        gate = new float[maxBatch * widest];
        up = new float[maxBatch * widest];
        this.logitRows = logitRows;
        logits = new float[Math.multiplyExact(logitRows, c.vocabSize())];
        moe = c.moe() == null ? null : new MoeScratch(c, maxBatch);
    }

    /** Attention scores scratch of the calling thread, one per worker, at least {@code n} long. */
    float[] scores(int n) {
        float[] s = scores.get();
        if (s == null || s.length < n) {
            s = new float[n];
            scores.set(s);
        }
        return s;
    }
}
