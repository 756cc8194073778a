package io.qwen4j.core.model;

/**
 * Everything the forward pass needs to know about a checkpoint, whatever file it came from. Field names follow
 * Hugging Face's config.json. Validated once here, so the forward pass can trust it.
 *
 * @param headDim          explicit per-head width: Qwen3's q width ({@code numHeads * headDim}) may differ from hiddenSize
 * @param attentionBias    q, k and v projections have a bias (Qwen1.5/2/2.5)
 * @param qkNorm           RMSNorm over each head of q and k before RoPE (Qwen3)
 * @param maxPositionEmbeddings the context length the model was trained for
 * @param fusedQkv         one {@code [q|k|v]} projection with bias (Qwen1's c_attn) instead of three
 * @param moe              the experts of an MoE model, null for a dense one
 * @param ropeScaling      YaRN / linear position scaling, {@link RopeScaling#none()} when off
 * @param qwenLongContext  Qwen1's dynamic NTK and logn attention, null for the other generations
 */
public record ModelConfig(
        Architecture architecture,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int intermediateSize,
        int vocabSize,
        int maxPositionEmbeddings,
        float rmsNormEps,
        double ropeTheta,
        boolean attentionBias,
        boolean qkNorm,
        boolean tieWordEmbeddings,
        boolean fusedQkv,
        MoeConfig moe,
        RopeScaling ropeScaling,
        QwenLongContext qwenLongContext) {

    public ModelConfig {
        if (architecture == null) {
            throw new IllegalArgumentException("architecture is missing");
        }
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("intermediate_size", intermediateSize);
        positive("vocab_size", vocabSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numAttentionHeads
                    + ") is not a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim (" + headDim + ") must be even for rotary embeddings");
        }
        if (!(rmsNormEps > 0) || !Float.isFinite(rmsNormEps)) {
            throw new IllegalArgumentException("rms_norm_eps must be a positive number, got " + rmsNormEps);
        }
        if (!(ropeTheta > 0) || !Double.isFinite(ropeTheta)) {
            throw new IllegalArgumentException("rope_theta must be a positive number, got " + ropeTheta);
        }
        ropeScaling = ropeScaling == null ? RopeScaling.none() : ropeScaling.withDefaultOriginal(maxPositionEmbeddings);
        if (architecture.moe != (moe != null)) {
            throw new IllegalArgumentException(architecture.hfClass + (architecture.moe
                    ? " needs num_experts, num_experts_per_tok and moe_intermediate_size" : " has no experts"));
        }
        if (fusedQkv && numKeyValueHeads != numAttentionHeads) {
            throw new IllegalArgumentException("a fused q/k/v projection needs as many key/value heads as query heads");
        }
    }

    public boolean isMoe() {
        return moe != null;
    }

    /** The same config with another position scaling (a run-time YaRN override). */
    public ModelConfig withRopeScaling(RopeScaling scaling) {
        return new ModelConfig(architecture, hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim,
                intermediateSize, vocabSize, maxPositionEmbeddings, rmsNormEps, ropeTheta, attentionBias, qkNorm,
                tieWordEmbeddings, fusedQkv, moe, scaling, qwenLongContext);
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
    }

    /** Width of the concatenated query heads. */
    public int qDim() {
        return numAttentionHeads * headDim;
    }

    /** Width of the concatenated key (and value) heads. */
    public int kvDim() {
        return numKeyValueHeads * headDim;
    }

    /** How many query heads share one key/value head (GQA). */
    public int queriesPerKvHead() {
        return numAttentionHeads / numKeyValueHeads;
    }

    public static Builder builder(Architecture architecture) {
        return new Builder(architecture);
    }

    /** Builds a config field by field; defaults are Qwen's usual values where one exists. */
    public static final class Builder {
        private final Architecture architecture;
        private int hiddenSize;
        private int numHiddenLayers;
        private int numAttentionHeads;
        private int numKeyValueHeads;
        private int headDim;
        private int intermediateSize;
        private int vocabSize;
        private int maxPositionEmbeddings;
        private float rmsNormEps = 1e-6f;
        private double ropeTheta = 10000.0;
        private boolean attentionBias;
        private boolean qkNorm;
        private boolean tieWordEmbeddings;
        private boolean fusedQkv;
        private MoeConfig moe;
        private RopeScaling ropeScaling = RopeScaling.none();
        private QwenLongContext qwenLongContext;

        private Builder(Architecture architecture) {
            this.architecture = architecture;
        }

        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder numHiddenLayers(int v) { numHiddenLayers = v; return this; }
        public Builder numAttentionHeads(int v) { numAttentionHeads = v; return this; }
        public Builder numKeyValueHeads(int v) { numKeyValueHeads = v; return this; }
        /** 0 means hidden_size / num_attention_heads, as the HF classes default it. */
        public Builder headDim(int v) { headDim = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder maxPositionEmbeddings(int v) { maxPositionEmbeddings = v; return this; }
        public Builder rmsNormEps(float v) { rmsNormEps = v; return this; }
        public Builder ropeTheta(double v) { ropeTheta = v; return this; }
        public Builder attentionBias(boolean v) { attentionBias = v; return this; }
        public Builder qkNorm(boolean v) { qkNorm = v; return this; }
        public Builder tieWordEmbeddings(boolean v) { tieWordEmbeddings = v; return this; }
        public Builder fusedQkv(boolean v) { fusedQkv = v; return this; }
        public Builder moe(MoeConfig v) { moe = v; return this; }
        public Builder ropeScaling(RopeScaling v) { ropeScaling = v; return this; }
        public Builder qwenLongContext(QwenLongContext v) { qwenLongContext = v; return this; }

        public ModelConfig build() {
            int kvHeads = numKeyValueHeads == 0 ? numAttentionHeads : numKeyValueHeads;
            int hd = headDim;
            if (hd == 0 && numAttentionHeads > 0) {
                if (hiddenSize % numAttentionHeads != 0) {
                    throw new IllegalArgumentException("hidden_size (" + hiddenSize
                            + ") is not a multiple of num_attention_heads (" + numAttentionHeads + ") and head_dim is not given");
                }
                hd = hiddenSize / numAttentionHeads;
            }
            return new ModelConfig(architecture, hiddenSize, numHiddenLayers, numAttentionHeads, kvHeads, hd,
                    intermediateSize, vocabSize, maxPositionEmbeddings, rmsNormEps, ropeTheta, attentionBias, qkNorm,
                    tieWordEmbeddings, fusedQkv, moe, ropeScaling, qwenLongContext);
        }
    }
}
