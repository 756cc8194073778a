package io.qwen4j.core.convert;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.gguf.GGUFWriter;
import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a GGUF file in another type, as llama-quantize does: matrices get the type {@link QuantMix} picks, 1-D
 * tensors, norms and MoE routers are copied as they are, the metadata is copied with {@code general.file_type} and
 * {@code general.quantization_version} set (moved to the end, where llama-quantize puts them). Tensors keep the input
 * file's order. Already quantised inputs are dequantised and quantised again (llama-quantize's
 * {@code --allow-requantize}).
 */
public final class GgufQuantizer {

    private GgufQuantizer() {
    }

    public static void quantize(Path in, Path out, FileType type, ConversionProgress progress) throws IOException {
        if (Files.exists(out) && Files.isSameFile(in, out)) {
            throw new IllegalArgumentException(out + ": the output must not be the input file");
        }
        try (GGUFFile gguf = GGUFFile.open(in)) {
            QuantMix mix = new QuantMix(type, facts(gguf));
            List<OutputTensor> tensors = new ArrayList<>();
            for (Tensor t : gguf.tensors().values()) {
                GGMLType target = mix.typeFor(t.name(), t.shape()).orElse(t.type());
                tensors.add(new OutputTensor(t.name(), target, t.shape(), TensorRows.of(t)));
            }
            GGUFWriter writer = new GGUFWriter().putAll(gguf,
                    key -> !key.equals("general.file_type") && !key.equals("general.quantization_version"));
            writer.putUInt32("general.quantization_version", ModelMetadata.QUANTIZATION_VERSION);
            writer.putUInt32("general.file_type", type.id);
            GgufOutput.write(writer, tensors, out, progress);
        }
    }

    private static QuantMix.ModelFacts facts(GGUFFile gguf) {
        String arch = gguf.getString("general.architecture");
        String p = arch + ".";
        int heads = gguf.getInt(p + "attention.head_count");
        try {
            return new QuantMix.ModelFacts(gguf.getInt(p + "block_count"), heads,
                    gguf.findInt(p + "attention.head_count_kv").orElse(heads), gguf.findInt(p + "expert_count").orElse(0),
                    gguf.findTensor("output.weight").isPresent());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(gguf.path(), e.getMessage());
        }
    }
}
