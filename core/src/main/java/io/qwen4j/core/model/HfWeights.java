package io.qwen4j.core.model;

import io.qwen4j.core.safetensors.SafetensorsCheckpoint;
import io.qwen4j.core.tensor.Tensor;

import java.nio.file.Path;
import java.util.Optional;

/** The weights of a Hugging Face folder (one or several safetensors shards), looked up by HF tensor name. */
final class HfWeights implements WeightSource {

    private final SafetensorsCheckpoint checkpoint;
    private final Path dir;

    HfWeights(SafetensorsCheckpoint checkpoint, Path dir) {
        this.checkpoint = checkpoint;
        this.dir = dir;
    }

    @Override
    public Optional<Tensor> find(TensorRole role, int layer) {
        return checkpoint.findTensor(role.hfName(layer));
    }

    @Override
    public String nameOf(TensorRole role, int layer) {
        return role.hfName(layer);
    }

    @Override
    public Path path() {
        return dir;
    }

    @Override
    public java.util.Collection<Tensor> all() {
        return checkpoint.tensors().values();
    }
}
