package io.qwen4j.core.model;

import io.qwen4j.core.tensor.Matrix;

import java.util.List;

/**
 * One decoder layer. Matrices are {@code [out][in]} views over the mapped file; vectors are small and on the heap.
 *
 * @param attnNorm  RMSNorm weight before attention                              // [hidden]
 * @param attention the self-attention weights
 * @param ffnNorm   RMSNorm weight before the FFN ({@code post_attention_layernorm}) // [hidden]
 * @param ffn       a dense SwiGLU or a mixture of experts
 */
public record LayerWeights(float[] attnNorm, Attention attention, float[] ffnNorm, FeedForward ffn) {

    /**
     * Either q, k, v (with optional biases) or Qwen1's fused qkv (with its bias) is set.
     *
     * @param q       [numHeads*headDim][hidden], null when fused
     * @param k       [numKvHeads*headDim][hidden], null when fused
     * @param v       [numKvHeads*headDim][hidden], null when fused
     * @param qBias   [numHeads*headDim] or null (Qwen2 has q/k/v bias, Qwen3 none)
     * @param kBias   [numKvHeads*headDim] or null
     * @param vBias   [numKvHeads*headDim] or null
     * @param qkv     [q rows | k rows | v rows][hidden], Qwen1 only
     * @param qkvBias [3*numHeads*headDim], Qwen1 only
     * @param qNorm   [headDim] or null (Qwen3 QK-norm)
     * @param kNorm   [headDim] or null
     * @param output  [hidden][numHeads*headDim]
     */
    public record Attention(Matrix q, Matrix k, Matrix v, float[] qBias, float[] kBias, float[] vBias,
                            Matrix qkv, float[] qkvBias, float[] qNorm, float[] kNorm, Matrix output) {
    }

    /** What follows attention in a layer. */
    public sealed interface FeedForward permits Dense, Moe {
    }

    /** SwiGLU: {@code down(silu(gate(x)) * up(x))}; gate and up are [width][hidden], down [hidden][width]. */
    public record Dense(Matrix gate, Matrix up, Matrix down) implements FeedForward {
    }

    /**
     * Routed experts, plus Qwen2-MoE's shared expert scaled by {@code sigmoid(sharedGate . x)}.
     *
     * @param router     [experts][hidden]
     * @param experts    one SwiGLU per expert, [moeWidth][hidden] / [hidden][moeWidth]
     * @param shared     the shared expert, or null (Qwen3-MoE)
     * @param sharedGate [hidden], or null
     */
    public record Moe(Matrix router, List<Dense> experts, Dense shared, float[] sharedGate) implements FeedForward {
        public Moe {
            experts = List.copyOf(experts);
        }
    }
}
