package io.qwen4j.core.convert;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwen4j.core.gguf.GGUFWriter;
import io.qwen4j.core.model.Architecture;
import io.qwen4j.core.model.HfConfigReader;
import io.qwen4j.core.model.ModelConfig;
import io.qwen4j.core.safetensors.SafetensorsCheckpoint;
import io.qwen4j.core.tensor.GGMLType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts a Hugging Face folder (config.json, one or several safetensors files in BF16, F16 or F32, tokenizer.json)
 * of any of the five Qwen architectures into a GGUF file with the names, shapes, order and metadata llama.cpp's
 * {@code convert_hf_to_gguf.py} writes.
 *
 * <p>Types: F32, F16, BF16 and Q8_0 follow the converter (1-D tensors, norms and MoE routers stay F32; a Q8_0 matrix
 * whose rows 32 does not divide falls back to F16). The converter has no other types; for them the result is what
 * llama-quantize makes of an F32 conversion ({@link QuantMix}).
 */
public final class HfConverter {

    private HfConverter() {
    }

    /**
     * Converts {@code hfDir} into {@code out} (written whole or not at all).
     *
     * @param name general.name; null for the folder's name
     */
    public static void convert(Path hfDir, Path out, FileType type, String name, ConversionProgress progress)
            throws IOException {
        ModelConfig config = HfConfigReader.read(hfDir.resolve("config.json"));
        TokenizerMetadata.Sources tokenizer = TokenizerMetadata.fromFolder(hfDir);
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(hfDir)) {
            List<HfTensorPlan.Planned> planned = HfTensorPlan.plan(checkpoint, config);
            boolean hasOutput = planned.stream().anyMatch(p -> p.name().equals("output.weight"));
            QuantMix mix = new QuantMix(type, facts(config, hasOutput));
            List<OutputTensor> tensors = new ArrayList<>();
            for (HfTensorPlan.Planned p : planned) {
                tensors.add(new OutputTensor(p.name(), typeFor(type, mix, p.name(), p.shape()), p.shape(), p.source()));
            }
            GGUFWriter writer = new GGUFWriter();
            String modelName = name != null ? name : hfDir.toAbsolutePath().normalize().getFileName().toString();
            ModelMetadata.put(writer, modelName, config, hasExplicitHeadDim(tokenizer.config()), type, tensors);
            TokenizerMetadata.put(writer, tokenizer, config.vocabSize(), config.architecture() == Architecture.QWEN);
            GgufOutput.write(writer, tensors, out, progress);
        }
    }

    static QuantMix.ModelFacts facts(ModelConfig c, boolean hasOutput) {
        return new QuantMix.ModelFacts(c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(),
                c.isMoe() ? c.moe().numExperts() : 0, hasOutput);
    }

    /** The converter's choice for the float types and Q8_0, llama-quantize's for the others. */
    static GGMLType typeFor(FileType type, QuantMix mix, String name, long[] shape) {
        if (type.isQuantized() && type != FileType.Q8_0) {
            return mix.typeFor(name, shape).orElse(GGMLType.F32);
        }
        if (shape.length == 1 || name.endsWith("_norm.weight") || name.contains("ffn_gate_inp")) {
            return GGMLType.F32;
        }
        return shape[shape.length - 1] % type.baseType.blockSize == 0 ? type.baseType : GGMLType.F16;
    }

    private static boolean hasExplicitHeadDim(JsonNode config) {
        JsonNode h = config.get("head_dim");
        return h != null && h.canConvertToInt();
    }
}
