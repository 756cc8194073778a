package io.qwen4j.core.model;

/**
 * The mutable state of one sequence: its KV cache and the activation buffers of the forward pass, sized once for
 * the largest batch of tokens processed in one step, so that the forward pass allocates nothing. Logits are kept
 * for {@code logitRows} tokens per step: 1 for generation, the batch size when every position's logits are wanted.
 */
final class InferenceState {

    final int maxBatch;
    final KVCache cache;
    final Rope rope;
    final float[] x;        // [maxBatch][hidden] residual stream
    final float[] xb;       // [maxBatch][hidden] normed input / sublayer output
    final float[] q;        // [maxBatch][qDim]
    final float[] k;        // [maxBatch][kvDim]
    final float[] v;        // [maxBatch][kvDim]
    final float[] attnOut;  // [maxBatch][qDim]
    final float[] gate;     // [maxBatch][intermediate]
    final float[] up;       // [maxBatch][intermediate]
    final float[] logits;   // [logitRows][vocab]
    final int logitRows;
    private final ThreadLocal<float[]> scores;

    InferenceState(ModelConfig c, Rope rope, int contextLength, int maxBatch, int logitRows) {
        this.maxBatch = maxBatch;
        this.cache = new KVCache(c, contextLength);
        this.rope = rope;
        x = new float[maxBatch * c.hiddenSize()];
        xb = new float[maxBatch * c.hiddenSize()];
        q = new float[maxBatch * c.qDim()];
        k = new float[maxBatch * c.kvDim()];
        v = new float[maxBatch * c.kvDim()];
        attnOut = new float[maxBatch * c.qDim()];
        gate = new float[maxBatch * c.intermediateSize()];
        up = new float[maxBatch * c.intermediateSize()];
        this.logitRows = logitRows;
        logits = new float[Math.multiplyExact(logitRows, c.vocabSize())];
        scores = ThreadLocal.withInitial(() -> new float[contextLength]);
    }

    /** Attention scores scratch of the calling thread, one per worker. */
    float[] scores() {
        return scores.get();
    }
}
