package io.qwen4j.core.model;

import java.util.Set;

/**
 * The mixture-of-experts part of a Qwen MoE config.
 *
 * @param numExperts                    routed experts per MoE layer
 * @param numExpertsPerTok              experts each token is sent to (top-k)
 * @param moeIntermediateSize           width of one routed expert's SwiGLU
 * @param sharedExpertIntermediateSize  width of the always-on shared expert (Qwen2-MoE), 0 when there is none
 * @param normTopkProb                  renormalise the top-k router probabilities to sum to 1 (Qwen3-MoE: true)
 * @param decoderSparseStep             every n-th layer is MoE (layer l is MoE when (l + 1) % n == 0)
 * @param mlpOnlyLayers                 layers that use a dense FFN of width intermediate_size instead
 */
public record MoeConfig(int numExperts, int numExpertsPerTok, int moeIntermediateSize,
                        int sharedExpertIntermediateSize, boolean normTopkProb, int decoderSparseStep,
                        Set<Integer> mlpOnlyLayers) {

    public MoeConfig {
        if (numExperts <= 0) {
            throw new IllegalArgumentException("num_experts must be positive, got " + numExperts);
        }
        if (numExpertsPerTok <= 0 || numExpertsPerTok > numExperts) {
            throw new IllegalArgumentException("num_experts_per_tok must be in 1.." + numExperts + ", got " + numExpertsPerTok);
        }
        if (moeIntermediateSize <= 0) {
            throw new IllegalArgumentException("moe_intermediate_size must be positive, got " + moeIntermediateSize);
        }
        if (sharedExpertIntermediateSize < 0) {
            throw new IllegalArgumentException("shared_expert_intermediate_size must not be negative, got "
                    + sharedExpertIntermediateSize);
        }
        if (decoderSparseStep <= 0) {
            throw new IllegalArgumentException("decoder_sparse_step must be positive, got " + decoderSparseStep);
        }
        mlpOnlyLayers = Set.copyOf(mlpOnlyLayers);
    }

    /** Whether layer {@code layer} routes through experts (the HF classes' rule). */
    public boolean isMoeLayer(int layer) {
        return !mlpOnlyLayers.contains(layer) && (layer + 1) % decoderSparseStep == 0;
    }

    public boolean hasSharedExpert() {
        return sharedExpertIntermediateSize > 0;
    }
}
