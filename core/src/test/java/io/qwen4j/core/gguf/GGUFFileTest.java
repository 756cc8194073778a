package io.qwen4j.core.gguf;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GGUFFileTest {

    static final Path TESTDATA = Path.of(System.getProperty("qwen4j.testdata"));
    static final Path QWEN3 = TESTDATA.resolve("models/qwen3-tiny/model.gguf");
    static final Path QWEN2 = TESTDATA.resolve("models/qwen2-tiny/model.gguf");
    static final Path QWEN3_Q4_0 = TESTDATA.resolve("models/qwen3-tiny/quants/Q4_0/model.gguf");

    /** End of the tensor infos (131315) rounded up to the default alignment 32. */
    static final long QWEN3_DATA_START = 131328;

    @Test
    void readsQwen3Header() {
        try (GGUFFile gguf = GGUFFile.open(QWEN3)) {
            assertEquals(3, gguf.version());
            assertEquals(QWEN3, gguf.path());
            assertEquals(5446912, gguf.fileSize());
            assertEquals(32, gguf.alignment());
            assertEquals(26, gguf.metadata().size());
            assertEquals(24, gguf.tensors().size());
            assertEquals("general.architecture", gguf.metadata().keySet().iterator().next());
            assertEquals("qwen3", gguf.getString("general.architecture"));
            assertEquals("Qwen3 Tiny Random", gguf.getString("general.name"));
            assertEquals(2, gguf.getInt("qwen3.block_count"));
            assertEquals(2L, gguf.getLong("qwen3.block_count"));
            assertEquals(Long.valueOf(2), gguf.metadata().get("qwen3.block_count")); // uint32 -> Long
            assertEquals(GGUFValueType.UINT32, gguf.valueType("qwen3.block_count").orElseThrow());
            assertEquals(256, gguf.getInt("qwen3.embedding_length"));
            assertEquals(4096, gguf.getInt("qwen3.context_length"));
            assertEquals(128, gguf.getInt("qwen3.attention.key_length"));
            assertEquals(2, gguf.getInt("qwen3.attention.head_count_kv"));
            assertEquals(1e6f, gguf.getFloat("qwen3.rope.freq_base"));
            assertEquals(1e-6f, gguf.getFloat("qwen3.attention.layer_norm_rms_epsilon"));
            assertEquals(32, gguf.getInt("general.file_type"));
            assertFalse(gguf.getBoolean("tokenizer.ggml.add_bos_token"));
            assertEquals(4096, gguf.getInt("tokenizer.ggml.bos_token_id"));
            assertEquals(4098, gguf.getInt("tokenizer.ggml.eos_token_id"));
            assertEquals("gpt2", gguf.getString("tokenizer.ggml.model"));
            assertEquals("qwen2", gguf.getString("tokenizer.ggml.pre"));
        }
    }

    @Test
    void readsQwen3Tokenizer() {
        try (GGUFFile gguf = GGUFFile.open(QWEN3)) {
            String[] tokens = gguf.getStringArray("tokenizer.ggml.tokens");
            assertEquals(4224, tokens.length);
            assertEquals("!", tokens[0]);
            assertEquals("<|endoftext|>", tokens[4096]);
            assertEquals("<|im_end|>", tokens[4098]);
            assertEquals("<think>", tokens[4120]);
            assertEquals("[PAD4223]", tokens[4223]);
            assertEquals(GGUFValueType.STRING, gguf.arrayElementType("tokenizer.ggml.tokens").orElseThrow());

            int[] types = gguf.getIntArray("tokenizer.ggml.token_type");
            assertEquals(GGUFValueType.INT32, gguf.arrayElementType("tokenizer.ggml.token_type").orElseThrow());
            assertEquals(4224, types.length);
            assertEquals(1, types[0]);
            assertEquals(3, types[4096]);
            assertEquals(4, types[4120]);
            assertEquals(5, types[4223]);

            String[] merges = gguf.getStringArray("tokenizer.ggml.merges");
            assertEquals(3840, merges.length);
            assertEquals("Ġ Ġ", merges[0]);
            assertEquals("i n", merges[2]);

            String template = gguf.getString("tokenizer.chat_template");
            assertTrue(template.startsWith("{%- if tools %}"), template.substring(0, 40));
            assertTrue(template.contains("<|im_start|>assistant"));
            assertTrue(template.contains("<think>"));
        }
    }

    @Test
    void readsQwen3Tensors() throws IOException {
        try (GGUFFile gguf = GGUFFile.open(QWEN3)) {
            assertEquals("token_embd.weight", gguf.tensors().keySet().iterator().next());
            Tensor embd = gguf.tensor("token_embd.weight");
            assertEquals(GGMLType.BF16, embd.type());
            assertArrayEquals(new long[] {4224, 256}, embd.shape());
            assertEquals(4224L * 256 * 2, embd.data().byteSize());

            Tensor q = gguf.tensor("blk.0.attn_q.weight");
            assertEquals(GGMLType.BF16, q.type());
            assertArrayEquals(new long[] {512, 256}, q.shape()); // ne = [256, 512] reversed
            assertEquals(512L * 256 * 2, q.data().byteSize());

            Tensor down = gguf.tensor("blk.1.ffn_down.weight");
            assertArrayEquals(new long[] {256, 512}, down.shape());

            Tensor norm = gguf.tensor("blk.0.attn_norm.weight");
            assertEquals(GGMLType.F32, norm.type());
            assertArrayEquals(new long[] {256}, norm.shape());
            ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0.9375f, norm.data().get(f32, 0));
            assertEquals(1.0f, norm.data().get(f32, 4));
            assertEquals(1.1015625f, norm.data().get(f32, 8));
            assertEquals(1.1171875f, norm.data().get(f32, 12));
            assertArrayEquals(new long[] {128}, gguf.tensor("blk.1.attn_k_norm.weight").shape());
            assertTrue(gguf.findTensor("output.weight").isEmpty(), "qwen3-tiny ties its embeddings");

            // The data slices sit where the file says: compare against bytes read without the mapping.
            byte[] file = Files.readAllBytes(QWEN3);
            assertSlice(file, QWEN3_DATA_START, embd.data());
            assertSlice(file, QWEN3_DATA_START + 3345408, q.data());
            assertSlice(file, QWEN3_DATA_START + 5314560, gguf.tensor("output_norm.weight").data());
            ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            assertEquals(15951, q.data().get(u16, 0));
            assertEquals((short) 48721, q.data().get(u16, 4));
        }
    }

    private static void assertSlice(byte[] file, long offset, MemorySegment data) {
        byte[] expected = java.util.Arrays.copyOfRange(file, (int) offset, (int) (offset + data.byteSize()));
        assertArrayEquals(expected, data.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void readsQ4_0Types() {
        try (GGUFFile gguf = GGUFFile.open(QWEN3_Q4_0)) {
            assertEquals(2, gguf.getInt("general.file_type"));
            Tensor embd = gguf.tensor("token_embd.weight");
            assertEquals(GGMLType.Q6_K, embd.type());
            assertArrayEquals(new long[] {4224, 256}, embd.shape());
            assertEquals(4224L * 256 / 256 * 210, embd.data().byteSize());
            Tensor q = gguf.tensor("blk.0.attn_q.weight");
            assertEquals(GGMLType.Q4_0, q.type());
            assertArrayEquals(new long[] {512, 256}, q.shape());
            assertEquals(512L * 256 / 32 * 18, q.data().byteSize());
            assertEquals(GGMLType.F32, gguf.tensor("output_norm.weight").type());
            assertEquals("output_norm.weight", gguf.tensors().keySet().iterator().next());
        }
    }

    @Test
    void readsQwen2Biases() {
        try (GGUFFile gguf = GGUFFile.open(QWEN2)) {
            assertEquals("qwen2", gguf.getString("general.architecture"));
            assertEquals(26, gguf.tensors().size());
            assertEquals(24, gguf.metadata().size());
            Tensor kBias = gguf.tensor("blk.0.attn_k.bias");
            assertEquals(GGMLType.F32, kBias.type());
            assertArrayEquals(new long[] {128}, kBias.shape());
            assertArrayEquals(new long[] {128, 256}, gguf.tensor("blk.0.attn_k.weight").shape());
            assertArrayEquals(new long[] {256}, gguf.tensor("blk.1.attn_q.bias").shape());
            assertTrue(gguf.findInt("qwen2.attention.key_length").isEmpty());
        }
    }

    @Test
    void typedGettersRejectMissingKeysAndWrongTypes() {
        try (GGUFFile gguf = GGUFFile.open(QWEN3)) {
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> gguf.getString("qwen3.block_count"));
            assertEquals(QWEN3 + ": metadata key 'qwen3.block_count' has type uint32, expected string",
                    e.getMessage());
            e = assertThrows(ModelFormatException.class, () -> gguf.getInt("general.architecture"));
            assertEquals(QWEN3 + ": metadata key 'general.architecture' has type string, expected integer",
                    e.getMessage());
            e = assertThrows(ModelFormatException.class, () -> gguf.getFloatArray("tokenizer.ggml.tokens"));
            assertEquals(QWEN3 + ": metadata key 'tokenizer.ggml.tokens' has type array of string, "
                    + "expected array of float32", e.getMessage());
            e = assertThrows(ModelFormatException.class, () -> gguf.getLong("qwen3.expert_count"));
            assertEquals(QWEN3 + ": metadata key 'qwen3.expert_count' (integer) is missing", e.getMessage());
            assertThrows(ModelFormatException.class, () -> gguf.getBoolean("general.name"));
            assertThrows(ModelFormatException.class, () -> gguf.findBoolean("general.name"));
            assertTrue(gguf.findString("general.missing").isEmpty());
            assertTrue(gguf.findLong("general.missing").isEmpty());
            assertTrue(gguf.findFloat("general.missing").isEmpty());
            assertEquals(256f, gguf.findFloat("qwen3.embedding_length").orElseThrow()); // integers widen
            assertFalse(gguf.has("general.missing"));
            assertTrue(gguf.has("general.type"));

            e = assertThrows(ModelFormatException.class, () -> gguf.tensor("output.weight"));
            assertEquals(QWEN3 + ": no tensor named 'output.weight'", e.getMessage());
        }
    }

    @Test
    void metadataIsReadOnlyAndArraysAreCopies() {
        try (GGUFFile gguf = GGUFFile.open(QWEN3)) {
            assertThrows(UnsupportedOperationException.class, () -> gguf.metadata().put("x", 1));
            assertThrows(UnsupportedOperationException.class, () -> gguf.tensors().clear());
            gguf.getStringArray("tokenizer.ggml.tokens")[0] = "changed";
            assertEquals("!", gguf.getStringArray("tokenizer.ggml.tokens")[0]);
            assertEquals(List.of("general.architecture", "general.type", "general.name"),
                    gguf.metadata().keySet().stream().limit(3).toList());
        }
    }

    @Test
    void closeUnmaps() {
        GGUFFile gguf = GGUFFile.open(QWEN3);
        MemorySegment data = gguf.tensor("blk.0.attn_norm.weight").data();
        assertEquals(0.9375f, data.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0));
        gguf.close();
        gguf.close();
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_BYTE, 0));
    }
}
