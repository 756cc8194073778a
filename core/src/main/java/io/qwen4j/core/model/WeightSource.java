package io.qwen4j.core.model;

import io.qwen4j.core.tensor.Tensor;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

/** Where a model's tensors come from: a GGUF file or a Hugging Face folder, looked up by role. */
interface WeightSource {

    /** The tensor for this role and layer (layer is ignored for whole-model roles), if the checkpoint has it. */
    Optional<Tensor> find(TensorRole role, int layer);

    /** One expert's matrix where the checkpoint stores experts apart (HF); empty where they are stacked (GGUF). */
    Optional<Tensor> findExpert(TensorRole role, int layer, int expert);

    /** The name this source uses for the role, for error messages. */
    String nameOf(TensorRole role, int layer);

    /** The file or folder, for error messages. */
    Path path();

    /** Every tensor in the checkpoint, in file order. */
    Collection<Tensor> all();
}
