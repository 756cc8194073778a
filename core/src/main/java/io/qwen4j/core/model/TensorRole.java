package io.qwen4j.core.model;

/**
 * The role of each weight in the forward pass with its name in GGUF files (llama.cpp's names) and in Hugging Face
 * checkpoints. {@code %d} stands for the layer index (and, in HF expert names, then the expert index). Qwen1's HF
 * checkpoints use their own names, given as a third column. One table for every format keeps the loaders identical.
 */
public enum TensorRole {
    TOKEN_EMBD("token_embd.weight", "model.embed_tokens.weight", "transformer.wte.weight"),
    OUTPUT_NORM("output_norm.weight", "model.norm.weight", "transformer.ln_f.weight"),
    OUTPUT("output.weight", "lm_head.weight", "lm_head.weight"),

    ATTN_NORM("blk.%d.attn_norm.weight", "model.layers.%d.input_layernorm.weight", "transformer.h.%d.ln_1.weight"),
    ATTN_Q("blk.%d.attn_q.weight", "model.layers.%d.self_attn.q_proj.weight", null),
    ATTN_K("blk.%d.attn_k.weight", "model.layers.%d.self_attn.k_proj.weight", null),
    ATTN_V("blk.%d.attn_v.weight", "model.layers.%d.self_attn.v_proj.weight", null),
    ATTN_Q_BIAS("blk.%d.attn_q.bias", "model.layers.%d.self_attn.q_proj.bias", null),
    ATTN_K_BIAS("blk.%d.attn_k.bias", "model.layers.%d.self_attn.k_proj.bias", null),
    ATTN_V_BIAS("blk.%d.attn_v.bias", "model.layers.%d.self_attn.v_proj.bias", null),
    /** Qwen1's fused projection: rows are q, then k, then v. */
    ATTN_QKV("blk.%d.attn_qkv.weight", null, "transformer.h.%d.attn.c_attn.weight"),
    ATTN_QKV_BIAS("blk.%d.attn_qkv.bias", null, "transformer.h.%d.attn.c_attn.bias"),
    ATTN_Q_NORM("blk.%d.attn_q_norm.weight", "model.layers.%d.self_attn.q_norm.weight", null),
    ATTN_K_NORM("blk.%d.attn_k_norm.weight", "model.layers.%d.self_attn.k_norm.weight", null),
    ATTN_OUTPUT("blk.%d.attn_output.weight", "model.layers.%d.self_attn.o_proj.weight", "transformer.h.%d.attn.c_proj.weight"),

    FFN_NORM("blk.%d.ffn_norm.weight", "model.layers.%d.post_attention_layernorm.weight", "transformer.h.%d.ln_2.weight"),
    // Qwen1: c_proj(w1(x) * silu(w2(x))), so w2 is the gate and w1 the up projection
    FFN_GATE("blk.%d.ffn_gate.weight", "model.layers.%d.mlp.gate_proj.weight", "transformer.h.%d.mlp.w2.weight"),
    FFN_UP("blk.%d.ffn_up.weight", "model.layers.%d.mlp.up_proj.weight", "transformer.h.%d.mlp.w1.weight"),
    FFN_DOWN("blk.%d.ffn_down.weight", "model.layers.%d.mlp.down_proj.weight", "transformer.h.%d.mlp.c_proj.weight"),

    /** MoE router: [experts][hidden]. */
    FFN_GATE_INP("blk.%d.ffn_gate_inp.weight", "model.layers.%d.mlp.gate.weight", null),
    /** Routed experts: GGUF stacks them in one [experts][out][in] tensor, HF stores one tensor per expert. */
    FFN_GATE_EXPS("blk.%d.ffn_gate_exps.weight", "model.layers.%d.mlp.experts.%d.gate_proj.weight", null),
    FFN_UP_EXPS("blk.%d.ffn_up_exps.weight", "model.layers.%d.mlp.experts.%d.up_proj.weight", null),
    FFN_DOWN_EXPS("blk.%d.ffn_down_exps.weight", "model.layers.%d.mlp.experts.%d.down_proj.weight", null),
    /** Qwen2-MoE's shared expert and its scalar sigmoid gate ([1][hidden]). */
    FFN_GATE_SHEXP("blk.%d.ffn_gate_shexp.weight", "model.layers.%d.mlp.shared_expert.gate_proj.weight", null),
    FFN_UP_SHEXP("blk.%d.ffn_up_shexp.weight", "model.layers.%d.mlp.shared_expert.up_proj.weight", null),
    FFN_DOWN_SHEXP("blk.%d.ffn_down_shexp.weight", "model.layers.%d.mlp.shared_expert.down_proj.weight", null),
    FFN_GATE_INP_SHEXP("blk.%d.ffn_gate_inp_shexp.weight", "model.layers.%d.mlp.shared_expert_gate.weight", null);

    private final String ggufPattern;
    private final String hfPattern;
    private final String qwen1HfPattern;

    TensorRole(String ggufPattern, String hfPattern, String qwen1HfPattern) {
        this.ggufPattern = ggufPattern;
        this.hfPattern = hfPattern;
        this.qwen1HfPattern = qwen1HfPattern;
    }

    public String ggufName(int layer) {
        return ggufPattern.formatted(layer);
    }

    /** The Hugging Face name for this architecture; for per-expert roles use {@link #hfExpertName}. */
    public String hfName(Architecture arch, int layer) {
        String pattern = arch == Architecture.QWEN ? qwen1HfPattern : hfPattern;
        if (pattern == null) {
            throw new IllegalArgumentException(name() + " has no Hugging Face name for " + arch.hfClass);
        }
        return pattern.formatted(layer);
    }

    public String hfExpertName(int layer, int expert) {
        return hfPattern.formatted(layer, expert);
    }

    /** The per-expert name with {@code *} for the expert, for messages. */
    public String hfExpertNamePattern(int layer) {
        return hfPattern.replaceFirst("%d", Integer.toString(layer)).replace("%d", "*");
    }

    public boolean isStackedExperts() {
        return this == FFN_GATE_EXPS || this == FFN_UP_EXPS || this == FFN_DOWN_EXPS;
    }
}
