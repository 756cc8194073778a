package io.qwen4j.core.model;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.tensor.Tensor;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

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
        int layers = gguf.getInt(p + "block_count");
        int contextLength = gguf.findInt(p + "context_length").orElse(32768);
        int ffn = gguf.getInt(p + "feed_forward_length");
        ModelConfig.Builder b = ModelConfig.builder(arch)
                .hiddenSize(gguf.getInt(p + "embedding_length"))
                .numHiddenLayers(layers)
                .numAttentionHeads(heads)
                .numKeyValueHeads(gguf.findInt(p + "attention.head_count_kv").orElse(heads))
                .headDim(gguf.findInt(p + "attention.key_length").orElse(0))
                // Qwen1 stores HF's intermediate_size, twice the real width (llama.cpp halves it too)
                .intermediateSize(arch == Architecture.QWEN ? ffn / 2 : ffn)
                .vocabSize(Math.toIntExact(embd.dim(0)))
                .maxPositionEmbeddings(contextLength)
                .rmsNormEps(gguf.findFloat(p + "attention.layer_norm_rms_epsilon").orElse(1e-6f))
                .ropeTheta(gguf.findFloat(p + "rope.freq_base").orElse(10000f))
                .ropeScaling(ropeScaling(p, contextLength))
                // GGUF has no flags for these: what the file holds says it
                .tieWordEmbeddings(gguf.findTensor(TensorRole.OUTPUT.ggufName(0)).isEmpty())
                .attentionBias(has(TensorRole.ATTN_Q_BIAS) || has(TensorRole.ATTN_QKV_BIAS))
                .fusedQkv(has(TensorRole.ATTN_QKV))
                .qkNorm(has(TensorRole.ATTN_Q_NORM));
        if (arch == Architecture.QWEN) {
            // GGUF does not carry use_dynamic_ntk / use_logn_attn; every Qwen1 release turns both on
            b.qwenLongContext(new QwenLongContext(contextLength, true, true));
        }
        if (arch.moe) {
            b.moe(moe(arch, p, layers));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(gguf.path(), e.getMessage());
        }
    }

    private boolean has(TensorRole role) {
        return gguf.findTensor(role.ggufName(0)).isPresent();
    }

    private MoeConfig moe(Architecture arch, String p, int layers) {
        // a layer without a router is dense (Qwen2-MoE's mlp_only_layers / decoder_sparse_step)
        Set<Integer> dense = new HashSet<>();
        for (int l = 0; l < layers; l++) {
            if (gguf.findTensor(TensorRole.FFN_GATE_INP.ggufName(l)).isEmpty()) {
                dense.add(l);
            }
        }
        // llama.cpp fixes top-k renormalisation per architecture: off for qwen2moe, on for qwen3moe
        boolean norm = gguf.findBoolean(p + "expert_weights_norm").orElse(arch == Architecture.QWEN3MOE);
        return new MoeConfig(gguf.getInt(p + "expert_count"), gguf.getInt(p + "expert_used_count"),
                gguf.getInt(p + "expert_feed_forward_length"),
                gguf.findInt(p + "expert_shared_feed_forward_length").orElse(0), norm, 1, dense);
    }

    private RopeScaling ropeScaling(String p, int contextLength) {
        String type = gguf.findString(p + "rope.scaling.type").orElse("none");
        float factor = gguf.findFloat(p + "rope.scaling.factor").orElse(1f);
        return switch (type) {
            case "none" -> RopeScaling.none();
            case "linear" -> RopeScaling.linear(factor);
            case "yarn" -> new RopeScaling(RopeScaling.Type.YARN, factor,
                    gguf.findInt(p + "rope.scaling.original_context_length").orElse(contextLength),
                    Double.NaN, // Qwen files carry no attention factor: the YaRN default applies
                    gguf.findFloat(p + "rope.scaling.yarn_beta_fast").orElse(32f),
                    gguf.findFloat(p + "rope.scaling.yarn_beta_slow").orElse(1f));
            default -> throw new ModelFormatException(gguf.path(), "unsupported " + p + "rope.scaling.type '" + type
                    + "' (supported: none, linear, yarn)");
        };
    }

    @Override
    public Optional<Tensor> find(TensorRole role, int layer) {
        return gguf.findTensor(role.ggufName(layer));
    }

    @Override
    public Optional<Tensor> findExpert(TensorRole role, int layer, int expert) {
        return Optional.empty();
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
    public Collection<Tensor> all() {
        return gguf.tensors().values();
    }
}
