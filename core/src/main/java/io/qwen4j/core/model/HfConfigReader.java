package io.qwen4j.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwen4j.core.ModelFormatException;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** Reads a Hugging Face {@code config.json} into a {@link ModelConfig} (public for the converter). */
public final class HfConfigReader {

    private HfConfigReader() {
    }

    public static ModelConfig read(Path configJson) {
        JsonConfig json = JsonConfig.read(configJson);
        Architecture arch = architecture(json);
        try {
            return (arch == Architecture.QWEN ? qwen1(json) : qwen2Family(json, arch)).build();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(configJson, e.getMessage());
        }
    }

    /** Qwen1's own config fields (QWenConfig). */
    private static ModelConfig.Builder qwen1(JsonConfig json) {
        double rotaryPct = json.optNumber("rotary_pct").orElse(1.0);
        if (rotaryPct != 1.0) {
            throw new ModelFormatException(json.file(), "rotary_pct " + rotaryPct + " is not supported (every Qwen1 release uses 1.0)");
        }
        int heads = json.requireInt("num_attention_heads");
        int seqLength = json.optInt("seq_length").orElse(8192);
        return ModelConfig.builder(Architecture.QWEN)
                .hiddenSize(json.requireInt("hidden_size"))
                .numHiddenLayers(json.requireInt("num_hidden_layers"))
                .numAttentionHeads(heads)
                .numKeyValueHeads(heads)
                .headDim(json.optInt("kv_channels").orElse(0))
                // QWenConfig's intermediate_size counts w1 and w2 together: each is half of it
                .intermediateSize(json.requireInt("intermediate_size") / 2)
                .vocabSize(json.requireInt("vocab_size"))
                .maxPositionEmbeddings(json.optInt("max_position_embeddings").orElse(seqLength))
                .rmsNormEps(json.optNumber("layer_norm_epsilon").orElse(1e-6).floatValue())
                .ropeTheta(json.optNumber("rotary_emb_base").orElse(10000.0))
                .tieWordEmbeddings(json.optBoolean("tie_word_embeddings").orElse(false))
                .attentionBias(true)
                .fusedQkv(true)
                .qwenLongContext(new QwenLongContext(seqLength, json.optBoolean("use_dynamic_ntk").orElse(true),
                        json.optBoolean("use_logn_attn").orElse(true)));
    }

    private static ModelConfig.Builder qwen2Family(JsonConfig json, Architecture arch) {
        JsonNode ropeParameters = json.node("rope_parameters");
        double ropeTheta = json.optNumber("rope_theta").orElse(10000.0);
        if (ropeParameters != null && ropeParameters.path("rope_theta").isNumber()) {
            ropeTheta = ropeParameters.path("rope_theta").doubleValue(); // transformers 5 keeps theta there
        }
        int maxPositions = json.optInt("max_position_embeddings").orElse(32768);
        ModelConfig.Builder b = ModelConfig.builder(arch)
                .hiddenSize(json.requireInt("hidden_size"))
                .numHiddenLayers(json.requireInt("num_hidden_layers"))
                .numAttentionHeads(json.requireInt("num_attention_heads"))
                .numKeyValueHeads(json.optInt("num_key_value_heads").orElse(0))
                .headDim(json.optInt("head_dim").orElse(0))
                .intermediateSize(json.requireInt("intermediate_size"))
                .vocabSize(json.requireInt("vocab_size"))
                .maxPositionEmbeddings(maxPositions)
                .rmsNormEps(json.optNumber("rms_norm_eps").orElse(1e-6).floatValue())
                .ropeTheta(ropeTheta)
                .ropeScaling(ropeScaling(json, maxPositions))
                .tieWordEmbeddings(json.optBoolean("tie_word_embeddings").orElse(false));
        switch (arch) {
            // Qwen2's attention always has q/k/v bias (the HF classes hard-code it)
            case QWEN2, QWEN2MOE -> b.attentionBias(true);
            // only diff with Qwen2: QK-norm, and bias is a config switch that is off in every release
            case QWEN3, QWEN3MOE -> b.qkNorm(true).attentionBias(json.optBoolean("attention_bias").orElse(false));
            case QWEN -> throw new IllegalStateException("Qwen1 has its own reader");
        }
        if (arch.moe) {
            b.moe(moe(json, arch));
        }
        return b;
    }

    private static MoeConfig moe(JsonConfig json, Architecture arch) {
        Set<Integer> mlpOnly = new HashSet<>();
        JsonNode list = json.node("mlp_only_layers");
        if (list != null) {
            if (!list.isArray()) {
                throw json.wrongType("mlp_only_layers", "a list of layer indices", list);
            }
            list.forEach(n -> {
                if (!n.canConvertToInt()) {
                    throw json.wrongType("mlp_only_layers", "a list of layer indices", list);
                }
                mlpOnly.add(n.intValue());
            });
        }
        // always read norm_topk_prob: the classes' defaults (false) differ from the released configs of Qwen3-MoE
        return new MoeConfig(json.requireInt("num_experts"), json.requireInt("num_experts_per_tok"),
                json.requireInt("moe_intermediate_size"),
                arch == Architecture.QWEN2MOE ? json.optInt("shared_expert_intermediate_size").orElse(0) : 0,
                json.optBoolean("norm_topk_prob").orElse(false),
                json.optInt("decoder_sparse_step").orElse(1), mlpOnly);
    }

    /** {@code rope_scaling} (transformers 4) or {@code rope_parameters} (transformers 5). */
    static RopeScaling ropeScaling(JsonConfig json, int maxPositions) {
        String field = json.has("rope_parameters") ? "rope_parameters" : "rope_scaling";
        JsonNode s = json.node(field);
        if (s == null) {
            return RopeScaling.none();
        }
        if (!s.isObject()) {
            throw json.wrongType(field, "an object", s);
        }
        String type = s.path("rope_type").isTextual() ? s.get("rope_type").textValue()
                : s.path("type").isTextual() ? s.get("type").textValue() : "default";
        return switch (type) {
            case "default" -> RopeScaling.none();
            case "linear" -> RopeScaling.linear(number(json, field, s, "factor", Double.NaN));
            case "yarn" -> new RopeScaling(RopeScaling.Type.YARN, number(json, field, s, "factor", Double.NaN),
                    (int) number(json, field, s, "original_max_position_embeddings", maxPositions),
                    number(json, field, s, "attention_factor", Double.NaN),
                    number(json, field, s, "beta_fast", 32), number(json, field, s, "beta_slow", 1));
            default -> throw new ModelFormatException(json.file(), field + ".rope_type '" + type
                    + "' is not supported (supported: default, linear, yarn)");
        };
    }

    private static double number(JsonConfig json, String field, JsonNode s, String key, double fallback) {
        JsonNode n = s.get(key);
        if (n == null || n.isNull()) {
            if (Double.isNaN(fallback) && key.equals("factor")) {
                throw new ModelFormatException(json.file(), "missing field '" + field + ".factor' (a number)");
            }
            return fallback;
        }
        if (!n.isNumber()) {
            throw json.wrongType(field + "." + key, "a number", n);
        }
        return n.doubleValue();
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
