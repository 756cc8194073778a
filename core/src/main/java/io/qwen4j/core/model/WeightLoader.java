package io.qwen4j.core.model;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.tensor.Matrix;
import io.qwen4j.core.tensor.Tensor;
import io.qwen4j.core.tensor.Tensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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
        Tensor embdTensor = require(TensorRole.TOKEN_EMBD, 0, c.vocabSize(), hidden);
        Matrix embd = wrap(embdTensor, () -> Matrix.of(embdTensor));
        List<LayerWeights> layers = new ArrayList<>(c.numHiddenLayers());
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            layers.add(new LayerWeights(vector(TensorRole.ATTN_NORM, l, hidden), attention(l),
                    vector(TensorRole.FFN_NORM, l, hidden), feedForward(l)));
            if (progress != null) {
                progress.accept(l + 1);
            }
        }
        float[] outputNorm = vector(TensorRole.OUTPUT_NORM, 0, hidden);
        // the embedding is read a row per token, as stored; the output product gets the kernels' layout
        Matrix output = c.tieWordEmbeddings()
                ? packed(embdTensor)
                : matrix(TensorRole.OUTPUT, 0, c.vocabSize(), hidden);
        return new ModelWeights(embd, layers, outputNorm, output);
    }

    private LayerWeights.Attention attention(int l) {
        int hidden = c.hiddenSize();
        Matrix output = matrix(TensorRole.ATTN_OUTPUT, l, hidden, c.qDim());
        float[] qNorm = c.qkNorm() ? vector(TensorRole.ATTN_Q_NORM, l, c.headDim()) : null;
        float[] kNorm = c.qkNorm() ? vector(TensorRole.ATTN_K_NORM, l, c.headDim()) : null;
        if (c.fusedQkv()) {
            int rows = c.qDim() + 2 * c.kvDim();
            return new LayerWeights.Attention(null, null, null, null, null, null,
                    matrix(TensorRole.ATTN_QKV, l, rows, hidden), vector(TensorRole.ATTN_QKV_BIAS, l, rows),
                    qNorm, kNorm, output);
        }
        boolean bias = c.attentionBias();
        return new LayerWeights.Attention(
                matrix(TensorRole.ATTN_Q, l, c.qDim(), hidden),
                matrix(TensorRole.ATTN_K, l, c.kvDim(), hidden),
                matrix(TensorRole.ATTN_V, l, c.kvDim(), hidden),
                bias ? vector(TensorRole.ATTN_Q_BIAS, l, c.qDim()) : null,
                bias ? vector(TensorRole.ATTN_K_BIAS, l, c.kvDim()) : null,
                bias ? vector(TensorRole.ATTN_V_BIAS, l, c.kvDim()) : null,
                null, null, qNorm, kNorm, output);
    }

    private LayerWeights.FeedForward feedForward(int l) {
        MoeConfig moe = c.moe();
        if (moe == null || !moe.isMoeLayer(l)) {
            return dense(TensorRole.FFN_GATE, TensorRole.FFN_UP, TensorRole.FFN_DOWN, l, c.intermediateSize());
        }
        int hidden = c.hiddenSize();
        int width = moe.moeIntermediateSize();
        Matrix[] gate = experts(TensorRole.FFN_GATE_EXPS, l, width, hidden);
        Matrix[] up = experts(TensorRole.FFN_UP_EXPS, l, width, hidden);
        Matrix[] down = experts(TensorRole.FFN_DOWN_EXPS, l, hidden, width);
        List<LayerWeights.Dense> experts = new ArrayList<>(moe.numExperts());
        for (int e = 0; e < moe.numExperts(); e++) {
            experts.add(new LayerWeights.Dense(gate[e], up[e], down[e]));
        }
        LayerWeights.Dense shared = null;
        float[] sharedGate = null;
        if (moe.hasSharedExpert()) {
            shared = dense(TensorRole.FFN_GATE_SHEXP, TensorRole.FFN_UP_SHEXP, TensorRole.FFN_DOWN_SHEXP, l,
                    moe.sharedExpertIntermediateSize());
            sharedGate = floats(require(TensorRole.FFN_GATE_INP_SHEXP, l, 1, hidden));
        }
        return new LayerWeights.Moe(matrix(TensorRole.FFN_GATE_INP, l, moe.numExperts(), hidden), experts, shared,
                sharedGate);
    }

    private LayerWeights.Dense dense(TensorRole gate, TensorRole up, TensorRole down, int l, int width) {
        int hidden = c.hiddenSize();
        return new LayerWeights.Dense(matrix(gate, l, width, hidden), matrix(up, l, width, hidden),
                matrix(down, l, hidden, width));
    }

    /** GGUF stacks an MoE layer's experts in one [experts][rows][cols] tensor; HF keeps one tensor each. */
    private Matrix[] experts(TensorRole role, int l, int rows, int cols) {
        int n = c.moe().numExperts();
        Matrix[] out = new Matrix[n];
        Optional<Tensor> stacked = source.find(role, l);
        if (stacked.isPresent()) {
            Tensor t = checkShape(stacked.get(), n, rows, cols);
            return wrap(t, () -> Matrix.packedExperts(t));
        }
        for (int e = 0; e < n; e++) {
            int expert = e;
            Tensor t = source.findExpert(role, l, e).orElseThrow(() -> new ModelFormatException(source.path(),
                    "missing tensor " + (expert == 0 ? source.nameOf(role, l) : role.hfExpertName(l, expert))));
            out[e] = packed(checkShape(t, rows, cols));
        }
        return out;
    }

    private Tensor require(TensorRole role, int layer, long... shape) {
        Tensor t = source.find(role, layer).orElseThrow(() -> new ModelFormatException(source.path(),
                "missing tensor " + source.nameOf(role, layer)));
        return checkShape(t, shape);
    }

    private Tensor checkShape(Tensor t, long... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException(source.path(), "tensor " + t.name() + " has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
        return t;
    }

    private Matrix matrix(TensorRole role, int layer, int rows, int cols) {
        return packed(require(role, layer, rows, cols));
    }

    private Matrix packed(Tensor t) {
        return wrap(t, () -> Matrix.packed(t));
    }

    private <M> M wrap(Tensor t, java.util.function.Supplier<M> make) {
        try {
            return make.get();
        } catch (ModelFormatException | IllegalArgumentException e) {
            throw new ModelFormatException(source.path(), e.getMessage());
        }
    }

    /** A small 1-D weight (norm, bias), widened to float on the heap. */
    private float[] vector(TensorRole role, int layer, int n) {
        return floats(require(role, layer, n));
    }

    private float[] floats(Tensor t) {
        try {
            return Tensors.toFloats(t);
        } catch (ModelFormatException | IllegalArgumentException e) {
            throw new ModelFormatException(source.path(), e.getMessage());
        }
    }
}
