package io.qwen4j.core.model;

import io.qwen4j.core.tensor.Matrix;

/**
 * One decoder layer. Matrices are {@code [out][in]} views over the mapped file; vectors are small and on the heap.
 *
 * @param attnNorm RMSNorm weight before attention       // [hidden]
 * @param attention the self-attention weights
 * @param ffnNorm  RMSNorm weight before the FFN ({@code post_attention_layernorm}) // [hidden]
 * @param ffn      the SwiGLU feed-forward weights
 */
public record LayerWeights(float[] attnNorm, Attention attention, float[] ffnNorm, FeedForward ffn) {

    /**
     * @param q      [numHeads*headDim][hidden]
     * @param k      [numKvHeads*headDim][hidden]
     * @param v      [numKvHeads*headDim][hidden]
     * @param qBias  [numHeads*headDim] or null (Qwen2 has q/k/v bias, Qwen3 none)
     * @param kBias  [numKvHeads*headDim] or null
     * @param vBias  [numKvHeads*headDim] or null
     * @param qNorm  [headDim] or null (Qwen3 QK-norm)
     * @param kNorm  [headDim] or null
     * @param output [hidden][numHeads*headDim]
     */
    public record Attention(Matrix q, Matrix k, Matrix v, float[] qBias, float[] kBias, float[] vBias,
                            float[] qNorm, float[] kNorm, Matrix output) {
    }

    /** SwiGLU: {@code down(silu(gate(x)) * up(x))}; gate and up are [intermediate][hidden], down [hidden][intermediate]. */
    public record FeedForward(Matrix gate, Matrix up, Matrix down) {
    }
}
