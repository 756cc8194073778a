package io.qwen4j.core.model;

import io.qwen4j.core.safetensors.SafetensorsCheckpoint;
import io.qwen4j.core.tensor.Tensor;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

/** The weights of a Hugging Face folder (one or several safetensors shards), looked up by HF tensor name. */
final class HfWeights implements WeightSource {

    private final SafetensorsCheckpoint checkpoint;
    private final Path dir;
    private final Architecture arch;

    HfWeights(SafetensorsCheckpoint checkpoint, Path dir, Architecture arch) {
        this.checkpoint = checkpoint;
        this.dir = dir;
        this.arch = arch;
    }

    @Override
    public Optional<Tensor> find(TensorRole role, int layer) {
        return role.isStackedExperts() ? Optional.empty() : checkpoint.findTensor(role.hfName(arch, layer));
    }

    @Override
    public Optional<Tensor> findExpert(TensorRole role, int layer, int expert) {
        return checkpoint.findTensor(role.hfExpertName(layer, expert));
    }

    @Override
    public String nameOf(TensorRole role, int layer) {
        return role.isStackedExperts() ? role.hfExpertNamePattern(layer) : role.hfName(arch, layer);
    }

    @Override
    public Path path() {
        return dir;
    }

    @Override
    public Collection<Tensor> all() {
        return checkpoint.tensors().values();
    }
}
