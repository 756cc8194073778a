package io.qwen4j.core.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwen4j.core.gguf.GGUFWriter;
import io.qwen4j.core.model.ModelConfig;
import io.qwen4j.core.model.MoeConfig;
import io.qwen4j.core.model.TensorRole;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A GGUF model with the real shapes of a {@link SynthPreset} and random weights, for benchmarks and tests without
 * downloads. Complete: the real Qwen3 tokenizer (151,669 tokens padded to the 151,936 rows with {@code [PADn]}) and
 * chat template, shipped as resources. Deterministic: the same preset, layers, type and seed give the same bytes.
 *
 * <p>Weights are uniform with the scales of the tiny fixture models, adjusted to the width: norm weights
 * 1 ± 0.1 (standard deviation), biases 0.02, embeddings 0.15, projections {@code 1.6 / sqrt(in)} (0.1 for the
 * fixtures' width 256), routers 0.5, so activations stay of order one and generation stays finite.
 */
public final class SyntheticModel {

    private static final String RESOURCES = "/io/qwen4j/core/convert/";
    /** Qwen3's config.json: {@code <|endoftext|>} and {@code <|im_end|>}. */
    private static final int BOS = 151643;
    private static final int EOS = 151645;

    private SyntheticModel() {
    }

    /** Writes the model to {@code out} (whole or not at all); {@code layers} 0 keeps the preset's depth. */
    public static void write(SynthPreset preset, int layers, FileType type, long seed, Path out,
                             ConversionProgress progress) throws IOException {
        write(preset.config(layers), preset.explicitHeadDim, preset.id + " (random weights, seed " + seed + ")", type,
                seed, out, progress);
    }

    /** Any config whose vocabulary holds the Qwen3 tokenizer's 151,669 tokens. */
    static void write(ModelConfig config, boolean explicitHeadDim, String name, FileType type, long seed, Path out,
                      ConversionProgress progress) throws IOException {
        List<OutputTensor> tensors = tensors(config, type, seed);
        GGUFWriter writer = new GGUFWriter();
        ModelMetadata.put(writer, name, config, explicitHeadDim, type, tensors);
        TokenizerMetadata.put(writer, tokenizer(), config.vocabSize(), false);
        GgufOutput.write(writer, tensors, out, progress);
    }

    /** Every parameter of the preset at this depth: the sum of its tensor sizes. */
    public static long parameterCount(SynthPreset preset, int layers) {
        return tensors(preset.config(layers), FileType.F32, 0).stream().mapToLong(OutputTensor::elementCount).sum();
    }

    static List<OutputTensor> tensors(ModelConfig c, FileType type, long seed) {
        List<OutputTensor> out = new ArrayList<>();
        QuantMix mix = new QuantMix(type, HfConverter.facts(c, !c.tieWordEmbeddings()));
        Adder add = (role, layer, std, mean, shape) -> {
            String name = role.ggufName(layer);
            long rows = 1;
            for (int i = 0; i < shape.length - 1; i++) {
                rows *= shape[i];
            }
            RowSource source = new RandomRows(rows, (int) shape[shape.length - 1],
                    RandomRows.mix(seed * 31 + name.hashCode()), mean, std);
            out.add(new OutputTensor(name, HfConverter.typeFor(type, mix, name, shape), shape, source));
        };
        int h = c.hiddenSize();
        add.add(TensorRole.TOKEN_EMBD, 0, 0.15, 0, c.vocabSize(), h);
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            add.add(TensorRole.ATTN_NORM, l, 0.1, 1, h);
            if (c.fusedQkv()) {
                add.add(TensorRole.ATTN_QKV, l, proj(h), 0, c.qDim() + 2L * c.kvDim(), h);
                add.add(TensorRole.ATTN_QKV_BIAS, l, 0.02, 0, c.qDim() + 2L * c.kvDim());
            } else {
                add.add(TensorRole.ATTN_Q, l, proj(h), 0, c.qDim(), h);
                add.add(TensorRole.ATTN_K, l, proj(h), 0, c.kvDim(), h);
                add.add(TensorRole.ATTN_V, l, proj(h), 0, c.kvDim(), h);
                if (c.attentionBias()) {
                    add.add(TensorRole.ATTN_Q_BIAS, l, 0.02, 0, c.qDim());
                    add.add(TensorRole.ATTN_K_BIAS, l, 0.02, 0, c.kvDim());
                    add.add(TensorRole.ATTN_V_BIAS, l, 0.02, 0, c.kvDim());
                }
            }
            if (c.qkNorm()) {
                add.add(TensorRole.ATTN_Q_NORM, l, 0.1, 1, c.headDim());
                add.add(TensorRole.ATTN_K_NORM, l, 0.1, 1, c.headDim());
            }
            add.add(TensorRole.ATTN_OUTPUT, l, proj(c.qDim()), 0, h, c.qDim());
            add.add(TensorRole.FFN_NORM, l, 0.1, 1, h);
            MoeConfig moe = c.moe();
            if (moe != null && moe.isMoeLayer(l)) {
                int e = moe.numExperts();
                int f = moe.moeIntermediateSize();
                add.add(TensorRole.FFN_GATE_INP, l, 0.5, 0, e, h);
                add.add(TensorRole.FFN_GATE_EXPS, l, proj(h), 0, e, f, h);
                add.add(TensorRole.FFN_UP_EXPS, l, proj(h), 0, e, f, h);
                add.add(TensorRole.FFN_DOWN_EXPS, l, proj(f), 0, e, h, f);
                if (moe.hasSharedExpert()) {
                    int s = moe.sharedExpertIntermediateSize();
                    add.add(TensorRole.FFN_GATE_INP_SHEXP, l, proj(h), 0, 1, h);
                    add.add(TensorRole.FFN_GATE_SHEXP, l, proj(h), 0, s, h);
                    add.add(TensorRole.FFN_UP_SHEXP, l, proj(h), 0, s, h);
                    add.add(TensorRole.FFN_DOWN_SHEXP, l, proj(s), 0, h, s);
                }
            } else {
                int f = c.intermediateSize();
                add.add(TensorRole.FFN_GATE, l, proj(h), 0, f, h);
                add.add(TensorRole.FFN_UP, l, proj(h), 0, f, h);
                add.add(TensorRole.FFN_DOWN, l, proj(f), 0, h, f);
            }
        }
        add.add(TensorRole.OUTPUT_NORM, 0, 0.1, 1, h);
        if (!c.tieWordEmbeddings()) {
            add.add(TensorRole.OUTPUT, 0, 0.15, 0, c.vocabSize(), h);
        }
        return out;
    }

    @FunctionalInterface
    private interface Adder {
        void add(TensorRole role, int layer, double std, double mean, long... shape);
    }

    /** A projection's scale: 0.1 at width 256 like the fixtures, shrinking as 1/sqrt(width) like trained weights. */
    private static double proj(long in) {
        return 1.6 / Math.sqrt(in);
    }

    private static TokenizerMetadata.Sources tokenizer() {
        JsonNode tokenizerJson;
        try {
            tokenizerJson = TokenizerMetadata.readJson(new GZIPInputStream(resource("qwen3-tokenizer.json.gz")),
                    "the Qwen3 tokenizer");
        } catch (IOException e) {
            throw new IllegalStateException("the bundled Qwen3 tokenizer is unreadable: " + e.getMessage(), e);
        }
        JsonNode tokenizerConfig = TokenizerMetadata.readJson(resource("qwen3-tokenizer_config.json"),
                "the Qwen3 tokenizer_config.json");
        ObjectNode config = JsonNodeFactory.instance.objectNode().put("bos_token_id", BOS).put("eos_token_id", EOS);
        return new TokenizerMetadata.Sources(Path.of("qwen3-tokenizer.json"), tokenizerJson, tokenizerConfig, config,
                null);
    }

    private static InputStream resource(String name) {
        InputStream in = SyntheticModel.class.getResourceAsStream(RESOURCES + name);
        if (in == null) {
            throw new IllegalStateException("resource " + RESOURCES + name + " is missing from the qwen4j jar");
        }
        return in;
    }
}
