package io.qwen4j.cli;

import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.ModelConfig;
import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qwen4j inspect}: what a checkpoint is. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's architecture, shapes, tensor types, context length and chat template.")
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file or Hugging Face folder")
    Path model;

    @Option(names = "--tensors", description = "also list every tensor with its type and shape")
    boolean tensors;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() {
        try (Model m = ModelLoading.load(model, runtime)) {
            Map<String, Object> info = describe(m);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(info));
            } else {
                info.forEach((k, v) -> {
                    if (!k.equals("tensors")) {
                        out.printf("%-32s %s%n", k, v);
                    }
                });
                if (tensors) {
                    for (Tensor t : m.tensors()) {
                        out.printf("  %-48s %-5s %s%n", t.name(), t.type(), Arrays.toString(t.shape()));
                    }
                }
            }
            out.flush();
            return 0;
        }
    }

    private Map<String, Object> describe(Model m) {
        ModelConfig c = m.config();
        Map<GGMLType, Integer> types = new EnumMap<>(GGMLType.class);
        long params = 0;
        long bytes = 0;
        List<Map<String, Object>> list = new ArrayList<>();
        for (Tensor t : m.tensors()) {
            types.merge(t.type(), 1, Integer::sum);
            params += t.elementCount();
            bytes += t.data().byteSize();
            if (tensors) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", t.name());
                e.put("type", t.type().name());
                e.put("shape", t.shape());
                list.add(e);
            }
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("path", m.path().toString());
        o.put("format", m.format());
        o.put("architecture", c.architecture().ggufName);
        o.put("hf_class", c.architecture().hfClass);
        o.put("generation", c.architecture().generation);
        o.put("type", c.isMoe() ? "MoE" : "dense");
        if (c.isMoe()) {
            o.put("experts", c.moe().numExperts());
            o.put("experts_per_token", c.moe().numExpertsPerTok());
            o.put("expert_intermediate_size", c.moe().moeIntermediateSize());
            o.put("shared_expert_intermediate_size", c.moe().sharedExpertIntermediateSize());
            o.put("norm_topk_prob", c.moe().normTopkProb());
        }
        o.put("layers", c.numHiddenLayers());
        o.put("hidden_size", c.hiddenSize());
        o.put("attention_heads", c.numAttentionHeads());
        o.put("kv_heads", c.numKeyValueHeads());
        o.put("head_dim", c.headDim());
        o.put("intermediate_size", c.intermediateSize());
        o.put("vocab_size", c.vocabSize());
        o.put("context_length", c.maxPositionEmbeddings());
        o.put("rope_theta", c.ropeTheta());
        o.put("rope_scaling", c.ropeScaling().toString());
        if (c.qwenLongContext() != null) {
            o.put("seq_length", c.qwenLongContext().seqLength());
            o.put("dynamic_ntk", c.qwenLongContext().useDynamicNtk());
            o.put("logn_attention", c.qwenLongContext().useLognAttn());
        }
        o.put("rms_norm_eps", c.rmsNormEps());
        o.put("qkv_bias", c.attentionBias());
        o.put("fused_qkv", c.fusedQkv());
        o.put("qk_norm", c.qkNorm());
        o.put("tied_embeddings", c.tieWordEmbeddings());
        o.put("parameters", params);
        o.put("active_parameters", m.activeParameterCount());
        o.put("tensor_bytes", bytes);
        Map<String, Integer> typeNames = new LinkedHashMap<>();
        types.forEach((t, n) -> typeNames.put(t.name(), n));
        o.put("tensor_types", typeNames);
        o.put("tensor_count", m.tensors().size());
        o.put("end_of_generation_ids", m.endOfGenerationIds().stream().sorted().toList());
        o.put("chat_template", m.chatTemplate().isPresent());
        if (tensors) {
            o.put("tensors", list);
        }
        return o;
    }
}
