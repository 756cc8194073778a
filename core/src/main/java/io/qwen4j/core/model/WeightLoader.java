package io.qwen4j.core.model;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.tensor.Matrix;
import io.qwen4j.core.tensor.Tensor;
import io.qwen4j.core.tensor.Tensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Finds every weight the config calls for, checks its shape and wraps it for the kernels. A missing or misshapen
 * tensor is reported with its name and the file, before any computation.
 */
final class WeightLoader {

    private final WeightSource source;
    private final ModelConfig c;

    private WeightLoader(WeightSource source, ModelConfig config) {
        this.source = source;
        this.c = config;
    }

    /** @param progress called with the number of layers loaded so far (may be null) */
    static ModelWeights load(WeightSource source, ModelConfig config, IntConsumer progress) {
        return new WeightLoader(source, config).load(progress);
    }

    private ModelWeights load(IntConsumer progress) {
        int hidden = c.hiddenSize();
        Matrix embd = matrix(TensorRole.TOKEN_EMBD, 0, c.vocabSize(), hidden);
        List<LayerWeights> layers = new ArrayList<>(c.numHiddenLayers());
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            layers.add(layer(l));
            if (progress != null) {
                progress.accept(l + 1);
            }
        }
        float[] outputNorm = vector(TensorRole.OUTPUT_NORM, 0, hidden);
        Matrix output = c.tieWordEmbeddings() ? embd : matrix(TensorRole.OUTPUT, 0, c.vocabSize(), hidden);
        return new ModelWeights(embd, layers, outputNorm, output);
    }

    private LayerWeights layer(int l) {
        int hidden = c.hiddenSize();
        boolean bias = c.attentionBias();
        var attention = new LayerWeights.Attention(
                matrix(TensorRole.ATTN_Q, l, c.qDim(), hidden),
                matrix(TensorRole.ATTN_K, l, c.kvDim(), hidden),
                matrix(TensorRole.ATTN_V, l, c.kvDim(), hidden),
                bias ? vector(TensorRole.ATTN_Q_BIAS, l, c.qDim()) : null,
                bias ? vector(TensorRole.ATTN_K_BIAS, l, c.kvDim()) : null,
                bias ? vector(TensorRole.ATTN_V_BIAS, l, c.kvDim()) : null,
                c.qkNorm() ? vector(TensorRole.ATTN_Q_NORM, l, c.headDim()) : null,
                c.qkNorm() ? vector(TensorRole.ATTN_K_NORM, l, c.headDim()) : null,
                matrix(TensorRole.ATTN_OUTPUT, l, hidden, c.qDim()));
        var ffn = new LayerWeights.FeedForward(
                matrix(TensorRole.FFN_GATE, l, c.intermediateSize(), hidden),
                matrix(TensorRole.FFN_UP, l, c.intermediateSize(), hidden),
                matrix(TensorRole.FFN_DOWN, l, hidden, c.intermediateSize()));
        return new LayerWeights(vector(TensorRole.ATTN_NORM, l, hidden), attention,
                vector(TensorRole.FFN_NORM, l, hidden), ffn);
    }

    private Tensor require(TensorRole role, int layer, long... shape) {
        Tensor t = source.find(role, layer).orElseThrow(() -> new ModelFormatException(source.path(),
                "missing tensor " + source.nameOf(role, layer)));
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException(source.path(), "tensor " + t.name() + " has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
        return t;
    }

    private Matrix matrix(TensorRole role, int layer, int rows, int cols) {
        Tensor t = require(role, layer, rows, cols);
        try {
            return Matrix.of(t);
        } catch (ModelFormatException | IllegalArgumentException e) {
            throw new ModelFormatException(source.path(), e.getMessage());
        }
    }

    /** A small 1-D weight (norm, bias), widened to float on the heap. */
    private float[] vector(TensorRole role, int layer, int n) {
        Tensor t = require(role, layer, n);
        try {
            return Tensors.toFloats(t);
        } catch (ModelFormatException | IllegalArgumentException e) {
            throw new ModelFormatException(source.path(), e.getMessage());
        }
    }
}
