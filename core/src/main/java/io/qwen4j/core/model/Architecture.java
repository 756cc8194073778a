package io.qwen4j.core.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * The Qwen generations qwen4j runs, named as GGUF ({@code general.architecture}) and Hugging Face
 * ({@code architectures[0]} in config.json) name them. The generation decides only defaults and which tensors
 * exist; the forward pass is the same for all.
 */
public enum Architecture {
    /** Qwen (1): MHA with one fused q/k/v projection, dynamic NTK and logn attention past seq_length. */
    QWEN("qwen", "QWenLMHeadModel", "Qwen1", false),
    /** Qwen1.5 dense, Qwen2, Qwen2.5: GQA with q/k/v bias. */
    QWEN2("qwen2", "Qwen2ForCausalLM", "Qwen1.5/2/2.5", false),
    /** Qwen1.5-MoE, Qwen2-MoE: Qwen2 attention, routed experts plus a gated shared expert. */
    QWEN2MOE("qwen2moe", "Qwen2MoeForCausalLM", "Qwen1.5/2/2.5", true),
    /** Qwen3 dense: QK-norm, explicit head_dim, no bias. */
    QWEN3("qwen3", "Qwen3ForCausalLM", "Qwen3", false),
    /** Qwen3-MoE: Qwen3 attention, routed experts with renormalised top-k, no shared expert. */
    QWEN3MOE("qwen3moe", "Qwen3MoeForCausalLM", "Qwen3", true);

    public final String ggufName;
    public final String hfClass;
    public final String generation;
    public final boolean moe;

    Architecture(String ggufName, String hfClass, String generation, boolean moe) {
        this.ggufName = ggufName;
        this.hfClass = hfClass;
        this.generation = generation;
        this.moe = moe;
    }

    public static Optional<Architecture> fromGguf(String name) {
        return Arrays.stream(values()).filter(a -> a.ggufName.equals(name)).findFirst();
    }

    public static Optional<Architecture> fromHfClass(String name) {
        return Arrays.stream(values()).filter(a -> a.hfClass.equals(name)).findFirst();
    }

    public static String supportedGgufNames() {
        return String.join(", ", Arrays.stream(values()).map(a -> a.ggufName).toList());
    }

    public static String supportedHfClasses() {
        return String.join(", ", Arrays.stream(values()).map(a -> a.hfClass).toList());
    }
}
