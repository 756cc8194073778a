package io.qwen4j.core.safetensors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsCheckpointTest {

    static final Path QWEN2_HF = SafetensorsFileTest.MODELS.resolve("qwen2-tiny/hf");
    static final Path QWEN3MOE_SHARDED = SafetensorsFileTest.MODELS.resolve("qwen3moe-tiny/hf-sharded");

    @TempDir
    Path dir;

    static String rejects(Path named, Path folder, String part) {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> SafetensorsCheckpoint.open(folder).close());
        assertTrue(e.getMessage().startsWith(named + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(part), () -> "expected '" + part + "' in: " + e.getMessage());
        return e.getMessage();
    }

    /** Splits qwen2-tiny's tensors over two shards (embeddings and layer 0; the rest) with an index. */
    private Map<String, String> writeShards(Path folder) throws IOException {
        String shard1 = "model-00001-of-00002.safetensors";
        String shard2 = "model-00002-of-00002.safetensors";
        Files.createDirectories(folder);
        Map<String, String> weightMap = new LinkedHashMap<>();
        try (SafetensorsFile single = SafetensorsFile.open(QWEN2_HF.resolve("model.safetensors"))) {
            List<Tensor> first = new ArrayList<>();
            List<Tensor> second = new ArrayList<>();
            for (Tensor t : single.tensors().values()) {
                boolean early = t.name().startsWith("model.embed_tokens") || t.name().startsWith("model.layers.0.");
                (early ? first : second).add(t);
                weightMap.put(t.name(), early ? shard1 : shard2);
            }
            SafetensorsTestFiles.write(folder.resolve(shard1), first, Map.of("format", "pt"));
            SafetensorsTestFiles.write(folder.resolve(shard2), second, Map.of("format", "pt"));
        }
        writeIndex(folder, weightMap);
        return weightMap;
    }

    private static void writeIndex(Path folder, Map<String, String> weightMap) throws IOException {
        ObjectNode index = SafetensorsTestFiles.JSON.createObjectNode();
        index.putObject("metadata").put("total_size", 4529368 - 8 - 2768);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        Files.writeString(folder.resolve("model.safetensors.index.json"), index.toPrettyString());
    }

    @Test
    void twoShardsGiveTheSameTensorsAsTheSingleFile() throws IOException {
        Path sharded = dir.resolve("sharded");
        writeShards(sharded);
        try (SafetensorsCheckpoint single = SafetensorsCheckpoint.open(QWEN2_HF);
             SafetensorsCheckpoint split = SafetensorsCheckpoint.open(sharded)) {
            assertEquals(List.of(QWEN2_HF.resolve("model.safetensors")), single.files());
            assertEquals(2, split.files().size());
            assertEquals(26, split.tensors().size());
            assertEquals(single.tensors().keySet(), split.tensors().keySet());
            for (Tensor t : single.tensors().values()) {
                Tensor s = split.tensor(t.name());
                assertEquals(t.type(), s.type());
                assertArrayEquals(t.shape(), s.shape());
                assertEquals(-1, t.data().mismatch(s.data()), t.name());
            }
            assertEquals(512, split.tensor("model.layers.1.self_attn.q_proj.bias").data().byteSize());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> split.tensor("lm_head.weight"));
            assertEquals(sharded + ": no tensor named 'lm_head.weight' in the checkpoint", e.getMessage());
            assertTrue(split.findTensor("lm_head.weight").isEmpty());
        }
    }

    @Test
    void realShardedQwen3Moe() {
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(QWEN3MOE_SHARDED)) {
            assertEquals(69, ckpt.tensors().size());
            assertEquals(List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"),
                    ckpt.files().stream().map(p -> p.getFileName().toString()).toList());
            Tensor lmHead = ckpt.tensor("lm_head.weight");
            assertEquals(GGMLType.BF16, lmHead.type());
            assertArrayEquals(new long[] {4224, 256}, lmHead.shape());
            assertArrayEquals(new long[] {8, 256}, ckpt.tensor("model.layers.1.mlp.gate.weight").shape());
            assertArrayEquals(new long[] {256, 256},
                    ckpt.tensor("model.layers.0.mlp.experts.7.down_proj.weight").shape());
            assertArrayEquals(new long[] {256, 256},
                    ckpt.tensor("model.layers.1.mlp.experts.0.up_proj.weight").shape());
            assertArrayEquals(new long[] {128}, ckpt.tensor("model.layers.0.self_attn.q_norm.weight").shape());
            long total = ckpt.tensors().values().stream().mapToLong(t -> t.data().byteSize()).sum();
            assertEquals(12201472, total); // metadata.total_size of the index
        }
    }

    @Test
    void missingOrEmptyFolders() throws IOException {
        Path missing = dir.resolve("missing");
        rejects(missing, missing, "folder not found");
        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        rejects(file, file, "is not a folder");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(empty + ": no model.safetensors or model.safetensors.index.json in this folder",
                rejects(empty, empty, "no model.safetensors"));
    }

    @Test
    void shardNamesMustStayInsideTheFolder() throws IOException {
        Path folder = dir.resolve("m");
        Map<String, String> weightMap = writeShards(folder);
        Files.copy(folder.resolve("model-00002-of-00002.safetensors"), dir.resolve("outside.safetensors"));
        Path index = folder.resolve("model.safetensors.index.json");
        for (String evil : List.of("../outside.safetensors", "sub/../../outside.safetensors",
                dir.resolve("outside.safetensors").toString(), "", ".", "a\0b")) {
            Map<String, String> bad = new LinkedHashMap<>(weightMap);
            bad.put("model.norm.weight", evil);
            writeIndex(folder, bad);
            rejects(index, folder, "weight_map puts tensor 'model.norm.weight' in shard \"" + evil
                    + "\", which is not a file name inside the folder");
        }
    }

    @Test
    void indexProblems() throws IOException {
        Path folder = dir.resolve("m");
        Map<String, String> weightMap = writeShards(folder);
        Path index = folder.resolve("model.safetensors.index.json");

        Map<String, String> wrongShard = new LinkedHashMap<>(weightMap);
        wrongShard.put("model.norm.weight", "model-00001-of-00002.safetensors");
        writeIndex(folder, wrongShard);
        rejects(index, folder, "weight_map puts tensor 'model.norm.weight' in model-00001-of-00002.safetensors, "
                + "but that shard has no such tensor");

        Map<String, String> ghost = new LinkedHashMap<>(weightMap);
        ghost.put("model.ghost.weight", "model-00002-of-00002.safetensors");
        writeIndex(folder, ghost);
        rejects(index, folder, "tensor 'model.ghost.weight'");

        Map<String, String> missingShard = new LinkedHashMap<>(weightMap);
        missingShard.put("model.norm.weight", "model-00003-of-00003.safetensors");
        writeIndex(folder, missingShard);
        rejects(folder.toAbsolutePath().resolve("model-00003-of-00003.safetensors"), folder, "file not found");

        Files.writeString(index, "{\"weight_map\": ");
        rejects(index, folder, "invalid JSON in the index");
        Files.writeString(index, "{\"metadata\": {}}");
        rejects(index, folder, "no \"weight_map\" object");
        Files.writeString(index, "{\"weight_map\": {\"a\": 1}}");
        rejects(index, folder, "weight_map entry for tensor 'a' is not a file name");
        Files.writeString(index, "{\"weight_map\": {}}");
        rejects(index, folder, "weight_map is empty");
    }

    @Test
    void aTensorInTwoShardsIsRejected() throws IOException {
        Path folder = dir.resolve("m");
        writeShards(folder);
        try (SafetensorsFile second = SafetensorsFile.open(folder.resolve("model-00002-of-00002.safetensors"));
             SafetensorsFile first = SafetensorsFile.open(folder.resolve("model-00001-of-00002.safetensors"))) {
            List<Tensor> both = new ArrayList<>(second.tensors().values());
            both.add(first.tensor("model.layers.0.input_layernorm.weight"));
            SafetensorsTestFiles.write(folder.resolve("model-00002b.safetensors"), both, Map.of());
        }
        Files.move(folder.resolve("model-00002b.safetensors"), folder.resolve("model-00002-of-00002.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        rejects(folder, folder, "tensor 'model.layers.0.input_layernorm.weight' is in both "
                + "model-00001-of-00002.safetensors and model-00002-of-00002.safetensors");
    }

    @Test
    void theSingleFileWinsOverAnIndex() throws IOException {
        Path folder = dir.resolve("m");
        writeShards(folder);
        Files.copy(QWEN2_HF.resolve("model.safetensors"), folder.resolve("model.safetensors"));
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(folder)) {
            assertEquals(List.of(folder.resolve("model.safetensors")), ckpt.files());
            assertEquals(26, ckpt.tensors().size());
        }
    }
}
