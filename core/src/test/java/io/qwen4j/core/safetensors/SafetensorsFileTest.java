package io.qwen4j.core.safetensors;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsFileTest {

    static final Path MODELS = Path.of(System.getProperty("qwen4j.testdata")).resolve("models");
    static final Path QWEN3 = MODELS.resolve("qwen3-tiny/hf/model.safetensors");
    static final Path QWEN2 = MODELS.resolve("qwen2-tiny/hf/model.safetensors");

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void readsQwen3() {
        try (SafetensorsFile st = SafetensorsFile.open(QWEN3)) {
            assertEquals(QWEN3, st.path());
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertEquals(24, st.tensors().size());
            assertEquals("model.embed_tokens.weight", st.tensors().keySet().iterator().next());
            Tensor embed = st.tensor("model.embed_tokens.weight");
            assertEquals(GGMLType.BF16, embed.type());
            assertArrayEquals(new long[] {4224, 256}, embed.shape());
            assertEquals(4224L * 256 * 2, embed.data().byteSize());
            Tensor q = st.tensor("model.layers.0.self_attn.q_proj.weight");
            assertArrayEquals(new long[] {512, 256}, q.shape());
            assertEquals(15951, q.data().get(U16, 0));
            assertEquals((short) 48721, q.data().get(U16, 4));
            Tensor norm = st.tensor("model.layers.0.input_layernorm.weight");
            assertEquals(GGMLType.BF16, norm.type());
            assertArrayEquals(new long[] {256}, norm.shape());
            assertEquals(0.9375f, bf16(norm.data(), 0));
            assertEquals(1.1015625f, bf16(norm.data(), 2));
            assertArrayEquals(new long[] {128}, st.tensor("model.layers.1.self_attn.k_norm.weight").shape());
            assertTrue(st.findTensor("lm_head.weight").isEmpty(), "tied embeddings");
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> st.tensor("lm_head.weight"));
            assertEquals(QWEN3 + ": no tensor named 'lm_head.weight'", e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> st.tensors().clear());
        }
    }

    @Test
    void closeUnmaps() {
        SafetensorsFile st = SafetensorsFile.open(QWEN2);
        MemorySegment data = st.tensor("model.norm.weight").data();
        assertEquals(512, data.byteSize());
        st.close();
        st.close();
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_BYTE, 0));
    }

    static float bf16(MemorySegment data, long index) {
        return Float.intBitsToFloat((data.get(U16, 2 * index) & 0xffff) << 16);
    }

    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");
    private static final Map<String, String> LAYER_NAMES = Map.ofEntries(
            Map.entry("self_attn.q_proj", "attn_q"), Map.entry("self_attn.k_proj", "attn_k"),
            Map.entry("self_attn.v_proj", "attn_v"), Map.entry("self_attn.o_proj", "attn_output"),
            Map.entry("self_attn.q_norm", "attn_q_norm"), Map.entry("self_attn.k_norm", "attn_k_norm"),
            Map.entry("mlp.gate_proj", "ffn_gate"), Map.entry("mlp.up_proj", "ffn_up"),
            Map.entry("mlp.down_proj", "ffn_down"), Map.entry("input_layernorm", "attn_norm"),
            Map.entry("post_attention_layernorm", "ffn_norm"));

    /** The llama.cpp name of a Qwen2/Qwen3 HF tensor name. */
    static String ggufName(String hf) {
        if (hf.equals("model.embed_tokens.weight")) {
            return "token_embd.weight";
        }
        if (hf.equals("model.norm.weight")) {
            return "output_norm.weight";
        }
        Matcher m = LAYER.matcher(hf);
        assertTrue(m.matches(), hf);
        int dot = m.group(2).lastIndexOf('.');
        String role = LAYER_NAMES.get(m.group(2).substring(0, dot));
        assertTrue(role != null, hf);
        return "blk." + m.group(1) + "." + role + m.group(2).substring(dot);
    }

    /**
     * The fixtures' GGUF and safetensors hold the same values: BF16 matrices bit for bit, and the F32 norms and
     * biases of the GGUF equal to the BF16 values widened. Every tensor of both files is compared.
     */
    @ParameterizedTest
    @ValueSource(strings = {"qwen3-tiny", "qwen2-tiny"})
    void ggufAndSafetensorsAgree(String model) {
        try (SafetensorsFile st = SafetensorsFile.open(MODELS.resolve(model).resolve("hf/model.safetensors"));
             GGUFFile gguf = GGUFFile.open(MODELS.resolve(model).resolve("model.gguf"))) {
            assertEquals(gguf.tensors().size(), st.tensors().size());
            int widened = 0;
            for (Tensor hf : st.tensors().values()) {
                Tensor gg = gguf.tensor(ggufName(hf.name()));
                assertArrayEquals(hf.shape(), gg.shape(), hf.name());
                assertEquals(GGMLType.BF16, hf.type());
                if (gg.type() == GGMLType.BF16) {
                    assertEquals(-1, hf.data().mismatch(gg.data()), hf.name());
                } else {
                    assertEquals(GGMLType.F32, gg.type(), gg.name());
                    for (long i = 0; i < hf.elementCount(); i++) {
                        assertEquals(bf16(hf.data(), i), gg.data().get(F32, 4 * i), hf.name() + "[" + i + "]");
                    }
                    widened++;
                }
            }
            assertEquals(model.equals("qwen3-tiny") ? 9 : 11, widened); // norms (and qwen2's q/k/v biases)
        }
    }
}
