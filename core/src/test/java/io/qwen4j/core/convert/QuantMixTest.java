package io.qwen4j.core.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The per-tensor types llama-quantize chose for each qwen3-tiny quant fixture, chosen again here. */
class QuantMixTest {

    private static final Path QWEN3 = HfConverterTest.MODELS.resolve("qwen3-tiny");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"F16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K"})
    void sameTypesAsLlamaQuantize(String type) throws IOException {
        JsonNode expected = new ObjectMapper().readTree(QWEN3.resolve("quants/" + type + "/reference.json").toFile())
                .get("tensor_types");
        QuantMix mix = new QuantMix(FileType.parse(type).orElseThrow(), new QuantMix.ModelFacts(2, 4, 2, 0, false));
        Map<String, String> want = new TreeMap<>();
        Map<String, String> got = new TreeMap<>();
        try (GGUFFile f = GGUFFile.open(QWEN3.resolve("model.gguf"))) {
            for (Tensor t : f.tensors().values()) {
                want.put(t.name(), expected.get(t.name()).textValue());
                // the fixtures were quantised from an F32 file: what keeps its type stays F32
                got.put(t.name(), mix.typeFor(t.name(), t.shape()).orElse(GGMLType.F32).name());
            }
        }
        assertEquals(want, got);
    }

    @Test
    void q4KMGivesMoreBitsToTheFirstAndLastEighthAndEveryThirdLayer() {
        QuantMix mix = new QuantMix(FileType.Q4_K_M, new QuantMix.ModelFacts(28, 16, 8, 0, false));
        StringBuilder q6 = new StringBuilder();
        for (int l = 0; l < 28; l++) {
            GGMLType v = mix.typeFor("blk." + l + ".attn_v.weight", new long[] {1024, 1024}).orElseThrow();
            GGMLType down = mix.typeFor("blk." + l + ".ffn_down.weight", new long[] {1024, 3072}).orElseThrow();
            assertEquals(v, down, "layer " + l);
            if (v == GGMLType.Q6_K) {
                q6.append(l).append(' ');
            }
        }
        // Qwen3-0.6B's Q4_K_M: layers < 28/8 = 3, >= 7*28/8 = 24, and (l - 3) % 3 == 2
        assertEquals("0 1 2 5 8 11 14 17 20 23 24 25 26 27 ", q6.toString());
        assertEquals(GGMLType.Q6_K, mix.typeFor("token_embd.weight", new long[] {151936, 1024}).orElseThrow(), "tied");
        assertEquals(GGMLType.Q4_K, mix.typeFor("blk.3.attn_q.weight", new long[] {2048, 1024}).orElseThrow());
    }

    @Test
    void rowsTheBlockDoesNotDivideFallBackLikeLlamaQuantize() {
        // Qwen2.5-0.5B: hidden 896 is not a multiple of 256
        QuantMix mix = new QuantMix(FileType.Q4_K_M, new QuantMix.ModelFacts(24, 14, 2, 0, false));
        assertEquals(GGMLType.Q5_0, mix.typeFor("blk.3.attn_q.weight", new long[] {896, 896}).orElseThrow());
        assertEquals(GGMLType.Q8_0, mix.typeFor("blk.0.attn_v.weight", new long[] {128, 896}).orElseThrow(), "Q6_K row");
        assertEquals(GGMLType.Q8_0, mix.typeFor("token_embd.weight", new long[] {151936, 896}).orElseThrow(), "output");
        assertEquals(GGMLType.Q4_K, mix.typeFor("blk.3.ffn_down.weight", new long[] {896, 4864}).orElseThrow());
        QuantMix q40 = new QuantMix(FileType.Q4_0, new QuantMix.ModelFacts(24, 14, 2, 0, true));
        assertThrows(IllegalArgumentException.class, () -> q40.typeFor("blk.0.attn_q.weight", new long[] {8, 40}));
    }

    @Test
    void eightExpertModelsKeepAttentionKAndVInQ8_0AndRoutersAsTheyAre() {
        QuantMix mix = new QuantMix(FileType.Q4_K_M, new QuantMix.ModelFacts(2, 4, 2, 8, true));
        assertEquals(GGMLType.Q8_0, mix.typeFor("blk.0.attn_v.weight", new long[] {256, 256}).orElseThrow());
        assertEquals(GGMLType.Q8_0, mix.typeFor("blk.0.attn_k.weight", new long[] {256, 256}).orElseThrow());
        assertEquals(GGMLType.Q5_K, mix.typeFor("blk.0.attn_output.weight", new long[] {256, 512}).orElseThrow());
        assertEquals(GGMLType.Q6_K, mix.typeFor("blk.1.ffn_down_exps.weight", new long[] {8, 256, 256}).orElseThrow());
        assertEquals(GGMLType.Q4_K, mix.typeFor("blk.0.ffn_down_exps.weight", new long[] {8, 256, 256}).orElseThrow());
        assertEquals(GGMLType.Q6_K, mix.typeFor("output.weight", new long[] {4224, 256}).orElseThrow());
        assertEquals(GGMLType.Q4_K, mix.typeFor("token_embd.weight", new long[] {4224, 256}).orElseThrow(), "untied");
        assertEquals(java.util.Optional.empty(), mix.typeFor("blk.0.ffn_gate_inp.weight", new long[] {8, 256}));
        assertEquals(java.util.Optional.empty(), mix.typeFor("blk.0.attn_q_norm.weight", new long[] {128}));
        assertEquals(java.util.Optional.empty(), mix.typeFor("blk.0.ffn_gate_inp_shexp.weight", new long[] {1, 256}),
                "ggml counts [1, 256] as one dimension");
    }
}
