package io.qwen4j.core.convert;

import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Tensor;
import io.qwen4j.core.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Converting the tiny HF fixtures gives what llama.cpp's converter gave: the fixture model.gguf files. */
class HfConverterTest {

    static final Path MODELS = Path.of(System.getProperty("qwen4j.testdata", "../testdata")).resolve("models");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen1-tiny", "qwen2-tiny", "qwen2moe-tiny", "qwen3-tiny", "qwen3moe-tiny"})
    void bf16IsTheFixtureByteForByte(String model) throws IOException {
        Path fixture = MODELS.resolve(model + "/model.gguf");
        String name;
        try (GGUFFile f = GGUFFile.open(fixture)) {
            name = f.getString("general.name"); // the one key that depends on how the converter was called
        }
        Path out = tmp.resolve(model + ".gguf");
        HfConverter.convert(MODELS.resolve(model + "/hf"), out, FileType.BF16, name, ConversionProgress.NONE);
        assertEquals(-1, Files.mismatch(fixture, out), "the whole file, header, metadata, tensor infos and data");
    }

    @Test
    void theNameDefaultsToTheFolders() throws IOException {
        Path out = tmp.resolve("q.gguf");
        HfConverter.convert(MODELS.resolve("qwen2-tiny/hf"), out, FileType.BF16, null, ConversionProgress.NONE);
        try (GGUFFile want = GGUFFile.open(MODELS.resolve("qwen2-tiny/model.gguf")); GGUFFile got = GGUFFile.open(out)) {
            assertEquals("hf", got.getString("general.name"));
            for (Tensor w : want.tensors().values()) {
                assertEquals(-1, w.data().mismatch(got.tensor(w.name()).data()), w.name());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen1-tiny", "qwen2moe-tiny", "qwen3-tiny"})
    void f32HoldsTheFixtureValues(String model) throws IOException {
        Path out = tmp.resolve(model + ".gguf");
        HfConverter.convert(MODELS.resolve(model + "/hf"), out, FileType.F32, "Tiny", ConversionProgress.NONE);
        try (GGUFFile want = GGUFFile.open(MODELS.resolve(model + "/model.gguf")); GGUFFile got = GGUFFile.open(out)) {
            assertEquals(0, got.getInt("general.file_type"));
            assertEquals("Tiny", got.getString("general.name"));
            assertEquals(List.copyOf(want.tensors().keySet()), List.copyOf(got.tensors().keySet()));
            for (Tensor w : want.tensors().values()) {
                Tensor g = got.tensor(w.name());
                assertEquals(GGMLType.F32, g.type(), w.name());
                assertArrayEquals(w.shape(), g.shape(), w.name());
                assertArrayEquals(Tensors.toFloats(w), Tensors.toFloats(g), w.name());
            }
        }
    }

    @Test
    void shardedCheckpointGivesTheSameTensors() throws IOException {
        Path out = tmp.resolve("sharded.gguf");
        HfConverter.convert(MODELS.resolve("qwen3moe-tiny/hf-sharded"), out, FileType.BF16, null,
                ConversionProgress.NONE);
        try (GGUFFile want = GGUFFile.open(MODELS.resolve("qwen3moe-tiny/model.gguf")); GGUFFile got = GGUFFile.open(out)) {
            assertEquals(want.tensors().keySet(), got.tensors().keySet());
            // shard by shard: embeddings and layer 0 come first, lm_head with the second shard
            assertEquals("token_embd.weight", got.tensors().keySet().iterator().next());
            for (Tensor w : want.tensors().values()) {
                assertEquals(-1, w.data().mismatch(got.tensor(w.name()).data()), w.name());
            }
        }
    }

    @Test
    void progressCountsEveryByteAndNoTemporaryFileIsLeft() throws IOException {
        Path out = tmp.resolve("p.gguf");
        long[] last = new long[2];
        HfConverter.convert(MODELS.resolve("qwen2-tiny/hf"), out, FileType.F32, null, (done, total) -> {
            synchronized (last) {
                last[0] = Math.max(last[0], done);
                last[1] = total;
            }
        });
        try (GGUFFile got = GGUFFile.open(out)) {
            long bytes = got.tensors().values().stream().mapToLong(t -> t.data().byteSize()).sum();
            assertEquals(bytes, last[1]);
            assertEquals(bytes, last[0]);
        }
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(out.getFileName().toString()), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aFailedConversionLeavesNothingBehind() throws IOException {
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        for (String f : new String[] {"config.json", "tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(MODELS.resolve("qwen2-tiny/hf/" + f), bad.resolve(f));
        }
        Files.writeString(bad.resolve("model.safetensors"), "not safetensors");
        Path out = tmp.resolve("out.gguf");
        var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> HfConverter.convert(bad, out, FileType.F16, null, ConversionProgress.NONE));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        assertFalse(Files.exists(out));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of("bad"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

}
