package io.qwen4j.core.model;

/**
 * The role of each weight in the forward pass with its name in GGUF files (llama.cpp's names) and in Hugging Face
 * checkpoints. {@code %d} stands for the layer index. One table for every format keeps the two loaders identical.
 */
public enum TensorRole {
    TOKEN_EMBD("token_embd.weight", "model.embed_tokens.weight"),
    OUTPUT_NORM("output_norm.weight", "model.norm.weight"),
    OUTPUT("output.weight", "lm_head.weight"),

    ATTN_NORM("blk.%d.attn_norm.weight", "model.layers.%d.input_layernorm.weight"),
    ATTN_Q("blk.%d.attn_q.weight", "model.layers.%d.self_attn.q_proj.weight"),
    ATTN_K("blk.%d.attn_k.weight", "model.layers.%d.self_attn.k_proj.weight"),
    ATTN_V("blk.%d.attn_v.weight", "model.layers.%d.self_attn.v_proj.weight"),
    ATTN_Q_BIAS("blk.%d.attn_q.bias", "model.layers.%d.self_attn.q_proj.bias"),
    ATTN_K_BIAS("blk.%d.attn_k.bias", "model.layers.%d.self_attn.k_proj.bias"),
    ATTN_V_BIAS("blk.%d.attn_v.bias", "model.layers.%d.self_attn.v_proj.bias"),
    ATTN_Q_NORM("blk.%d.attn_q_norm.weight", "model.layers.%d.self_attn.q_norm.weight"),
    ATTN_K_NORM("blk.%d.attn_k_norm.weight", "model.layers.%d.self_attn.k_norm.weight"),
    ATTN_OUTPUT("blk.%d.attn_output.weight", "model.layers.%d.self_attn.o_proj.weight"),

    FFN_NORM("blk.%d.ffn_norm.weight", "model.layers.%d.post_attention_layernorm.weight"),
    FFN_GATE("blk.%d.ffn_gate.weight", "model.layers.%d.mlp.gate_proj.weight"),
    FFN_UP("blk.%d.ffn_up.weight", "model.layers.%d.mlp.up_proj.weight"),
    FFN_DOWN("blk.%d.ffn_down.weight", "model.layers.%d.mlp.down_proj.weight");

    private final String ggufPattern;
    private final String hfPattern;

    TensorRole(String ggufPattern, String hfPattern) {
        this.ggufPattern = ggufPattern;
        this.hfPattern = hfPattern;
    }

    public String ggufName(int layer) {
        return ggufPattern.formatted(layer);
    }

    public String hfName(int layer) {
        return hfPattern.formatted(layer);
    }
}
