package io.qwen4j.core.model;

import io.qwen4j.core.tensor.Matrix;

import java.util.List;

/**
 * All weights of a model.
 *
 * @param tokenEmbd  [vocab][hidden]
 * @param outputNorm [hidden]
 * @param output     [vocab][hidden]; the same matrix as tokenEmbd when embeddings are tied
 */
public record ModelWeights(Matrix tokenEmbd, List<LayerWeights> layers, float[] outputNorm, Matrix output) {

    public ModelWeights {
        layers = List.copyOf(layers);
    }
}
