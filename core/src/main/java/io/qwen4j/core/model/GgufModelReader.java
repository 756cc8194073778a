package io.qwen4j.core.model;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.tensor.Tensor;

import java.nio.file.Path;
import java.util.Optional;

/** Reads the model config and weights of a GGUF file, using the metadata keys llama.cpp's converter writes. */
final class GgufModelReader implements WeightSource {

    private final GGUFFile gguf;

    GgufModelReader(GGUFFile gguf) {
        this.gguf = gguf;
    }

    ModelConfig config() {
        String archName = gguf.getString("general.architecture");
        Architecture arch = Architecture.fromGguf(archName).orElseThrow(() -> new ModelFormatException(gguf.path(),
                "unsupported architecture '" + archName + "' (supported: " + Architecture.supportedGgufNames() + ")"));
        String p = archName + ".";
        Tensor embd = gguf.tensor(TensorRole.TOKEN_EMBD.ggufName(0));
        if (embd.rank() != 2) {
            throw new ModelFormatException(gguf.path(), "tensor token_embd.weight must have 2 dimensions, has " + embd.rank());
        }
        int heads = gguf.getInt(p + "attention.head_count");
        ModelConfig.Builder b = ModelConfig.builder(arch)
                .hiddenSize(gguf.getInt(p + "embedding_length"))
                .numHiddenLayers(gguf.getInt(p + "block_count"))
                .numAttentionHeads(heads)
                .numKeyValueHeads(gguf.findInt(p + "attention.head_count_kv").orElse(heads))
                .headDim(gguf.findInt(p + "attention.key_length").orElse(0))
                .intermediateSize(gguf.getInt(p + "feed_forward_length"))
                .vocabSize(Math.toIntExact(embd.dim(0)))
                .maxPositionEmbeddings(gguf.findInt(p + "context_length").orElse(32768))
                .rmsNormEps(gguf.findFloat(p + "attention.layer_norm_rms_epsilon").orElse(1e-6f))
                .ropeTheta(gguf.findFloat(p + "rope.freq_base").orElse(10000f))
                // GGUF has no flags for these: what the file holds says it
                .tieWordEmbeddings(gguf.findTensor(TensorRole.OUTPUT.ggufName(0)).isEmpty())
                .attentionBias(gguf.findTensor(TensorRole.ATTN_Q_BIAS.ggufName(0)).isPresent())
                .qkNorm(gguf.findTensor(TensorRole.ATTN_Q_NORM.ggufName(0)).isPresent());
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(gguf.path(), e.getMessage());
        }
    }

    @Override
    public Optional<Tensor> find(TensorRole role, int layer) {
        return gguf.findTensor(role.ggufName(layer));
    }

    @Override
    public String nameOf(TensorRole role, int layer) {
        return role.ggufName(layer);
    }

    @Override
    public Path path() {
        return gguf.path();
    }

    @Override
    public java.util.Collection<Tensor> all() {
        return gguf.tensors().values();
    }
}
