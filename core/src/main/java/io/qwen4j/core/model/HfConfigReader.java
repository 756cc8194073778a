package io.qwen4j.core.model;

import io.qwen4j.core.ModelFormatException;

import java.nio.file.Path;

/** Reads a Hugging Face {@code config.json} into a {@link ModelConfig}. */
final class HfConfigReader {

    private HfConfigReader() {
    }

    static ModelConfig read(Path configJson) {
        JsonConfig json = JsonConfig.read(configJson);
        Architecture arch = architecture(json);
        ModelConfig.Builder b = ModelConfig.builder(arch)
                .hiddenSize(json.requireInt("hidden_size"))
                .numHiddenLayers(json.requireInt("num_hidden_layers"))
                .numAttentionHeads(json.requireInt("num_attention_heads"))
                .numKeyValueHeads(json.optInt("num_key_value_heads").orElse(0))
                .headDim(json.optInt("head_dim").orElse(0))
                .intermediateSize(json.requireInt("intermediate_size"))
                .vocabSize(json.requireInt("vocab_size"))
                .maxPositionEmbeddings(json.optInt("max_position_embeddings").orElse(32768))
                .rmsNormEps(json.optNumber("rms_norm_eps").orElse(1e-6).floatValue())
                .ropeTheta(json.optNumber("rope_theta").orElse(10000.0))
                .tieWordEmbeddings(json.optBoolean("tie_word_embeddings").orElse(false));
        switch (arch) {
            // Qwen2's attention always has q/k/v bias (the HF class hard-codes it)
            case QWEN2 -> b.attentionBias(true);
            // only diff with Qwen2: QK-norm, and bias is a config switch that is off in every release
            case QWEN3 -> b.qkNorm(true).attentionBias(json.optBoolean("attention_bias").orElse(false));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(configJson, e.getMessage());
        }
    }

    private static Architecture architecture(JsonConfig json) {
        var archs = json.node("architectures");
        if (archs == null || !archs.isArray() || archs.isEmpty() || !archs.get(0).isTextual()) {
            throw json.missing("architectures", "a list with the model class name");
        }
        String name = archs.get(0).textValue();
        return Architecture.fromHfClass(name).orElseThrow(() -> new ModelFormatException(json.file(),
                "unsupported architecture '" + name + "' (supported: " + Architecture.supportedHfClasses() + ")"));
    }
}
