package io.qwen4j.core.convert;

import io.qwen4j.core.model.Architecture;
import io.qwen4j.core.model.ModelConfig;
import io.qwen4j.core.model.MoeConfig;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The shapes of official Qwen checkpoints (from their config.json), for models with random weights. */
public enum SynthPreset {
    /** Qwen/Qwen3-0.6B: 596,049,920 parameters with its tied embeddings. */
    QWEN3_0_6B("qwen3-0.6b", true, ModelConfig.builder(Architecture.QWEN3)
            .hiddenSize(1024).numHiddenLayers(28).numAttentionHeads(16).numKeyValueHeads(8).headDim(128)
            .intermediateSize(3072).vocabSize(151936).maxPositionEmbeddings(40960).ropeTheta(1e6)
            .qkNorm(true).tieWordEmbeddings(true)),
    /** Qwen/Qwen2.5-0.5B: q/k/v bias, tied embeddings, head_dim 64 implied by 896 / 14. */
    QWEN2_5_0_5B("qwen2.5-0.5b", false, ModelConfig.builder(Architecture.QWEN2)
            .hiddenSize(896).numHiddenLayers(24).numAttentionHeads(14).numKeyValueHeads(2)
            .intermediateSize(4864).vocabSize(151936).maxPositionEmbeddings(32768).ropeTheta(1e6)
            .attentionBias(true).tieWordEmbeddings(true)),
    /** Qwen/Qwen3-30B-A3B: 128 experts, 8 used, renormalised top-k, untied. */
    QWEN3_30B_A3B("qwen3-30b-a3b", true, ModelConfig.builder(Architecture.QWEN3MOE)
            .hiddenSize(2048).numHiddenLayers(48).numAttentionHeads(32).numKeyValueHeads(4).headDim(128)
            .intermediateSize(6144).vocabSize(151936).maxPositionEmbeddings(40960).ropeTheta(1e6)
            .qkNorm(true).tieWordEmbeddings(false)
            .moe(new MoeConfig(128, 8, 768, 0, true, 1, Set.of())));

    public final String id;
    /** Whether the real config.json names head_dim (GGUF then has attention.key_length/value_length). */
    final boolean explicitHeadDim;
    private final ModelConfig config;

    SynthPreset(String id, boolean explicitHeadDim, ModelConfig.Builder config) {
        this.id = id;
        this.explicitHeadDim = explicitHeadDim;
        this.config = config.build();
    }

    /** The preset's config, cut to {@code layers} layers (0: all of them). */
    public ModelConfig config(int layers) {
        if (layers < 0 || layers > config.numHiddenLayers()) {
            throw new IllegalArgumentException(id + " has " + config.numHiddenLayers() + " layers; cannot make "
                    + layers);
        }
        ModelConfig c = config;
        int n = layers == 0 ? c.numHiddenLayers() : layers;
        return new ModelConfig(c.architecture(), c.hiddenSize(), n, c.numAttentionHeads(), c.numKeyValueHeads(),
                c.headDim(), c.intermediateSize(), c.vocabSize(), c.maxPositionEmbeddings(), c.rmsNormEps(),
                c.ropeTheta(), c.attentionBias(), c.qkNorm(), c.tieWordEmbeddings(), c.fusedQkv(), c.moe(),
                c.ropeScaling(), c.qwenLongContext());
    }

    public static Optional<SynthPreset> parse(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equalsIgnoreCase(id.trim())).findFirst();
    }

    public static String ids() {
        return Arrays.stream(values()).map(p -> p.id).collect(Collectors.joining(", "));
    }
}
