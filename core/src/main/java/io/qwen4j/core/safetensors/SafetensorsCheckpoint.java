package io.qwen4j.core.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The weights of a Hugging Face model folder: {@code model.safetensors}, or the shards named by the
 * {@code weight_map} of {@code model.safetensors.index.json} (the single file wins when both exist, as in
 * transformers). Every tensor the index lists must be in the shard it names, shard names must stay inside
 * the folder, and no tensor may be in two shards.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final List<SafetensorsFile> files;
    private final Map<String, Tensor> tensors;

    private SafetensorsCheckpoint(Path dir, List<SafetensorsFile> files, Map<String, Tensor> tensors) {
        this.dir = dir;
        this.files = List.copyOf(files);
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public static SafetensorsCheckpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException(dir, Files.exists(dir) ? "is not a folder" : "folder not found");
        }
        Path single = dir.resolve(SINGLE_FILE);
        Path index = dir.resolve(INDEX_FILE);
        if (Files.exists(single)) {
            SafetensorsFile file = SafetensorsFile.open(single);
            return new SafetensorsCheckpoint(dir, List.of(file), new LinkedHashMap<>(file.tensors()));
        }
        if (Files.exists(index)) {
            return openSharded(dir, index);
        }
        throw new ModelFormatException(dir, "no " + SINGLE_FILE + " or " + INDEX_FILE + " in this folder");
    }

    private static SafetensorsCheckpoint openSharded(Path dir, Path index) {
        Map<String, String> weightMap = weightMap(index);
        Map<String, Path> shards = new TreeMap<>(); // shard order: model-00001-of-..., model-00002-of-..., ...
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            shards.computeIfAbsent(e.getValue(), name -> shardPath(dir, index, e.getKey(), name));
        }
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
            for (Map.Entry<String, Path> shard : shards.entrySet()) {
                SafetensorsFile file = SafetensorsFile.open(shard.getValue());
                opened.add(file);
                byName.put(shard.getKey(), file);
            }
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                if (!byName.get(e.getValue()).tensors().containsKey(e.getKey())) {
                    throw new ModelFormatException(index, "weight_map puts tensor '" + e.getKey() + "' in "
                            + e.getValue() + ", but that shard has no such tensor");
                }
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, Path> owner = new LinkedHashMap<>();
            for (SafetensorsFile file : opened) {
                for (Tensor t : file.tensors().values()) {
                    Path first = owner.putIfAbsent(t.name(), file.path());
                    if (first != null) {
                        throw new ModelFormatException(dir, "tensor '" + t.name() + "' is in both "
                                + first.getFileName() + " and " + file.path().getFileName());
                    }
                    tensors.put(t.name(), t);
                }
            }
            return new SafetensorsCheckpoint(dir, opened, tensors);
        } catch (RuntimeException | Error e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, String> weightMap(Path index) {
        byte[] json;
        try {
            json = Files.readAllBytes(index);
        } catch (IOException e) {
            throw new ModelFormatException(index, "cannot read: " + e.getMessage(), e);
        }
        JsonNode root = SafetensorsHeader.readJson(index, json, "the index");
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new ModelFormatException(index, "no \"weight_map\" object");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isTextual()) {
                throw new ModelFormatException(index, "weight_map entry for tensor '" + e.getKey()
                        + "' is not a file name");
            }
            weightMap.put(e.getKey(), e.getValue().textValue());
        }
        if (weightMap.isEmpty()) {
            throw new ModelFormatException(index, "weight_map is empty");
        }
        return weightMap;
    }

    /** The shard's path, which must be a file inside {@code dir}: no absolute paths, no "..". */
    private static Path shardPath(Path dir, Path index, String tensor, String name) {
        Path base = dir.toAbsolutePath().normalize();
        Path resolved;
        try {
            Path relative = Path.of(name);
            resolved = base.resolve(relative).normalize();
            if (name.isEmpty() || relative.isAbsolute() || !resolved.startsWith(base) || resolved.equals(base)) {
                resolved = null;
            }
        } catch (InvalidPathException e) {
            resolved = null;
        }
        if (resolved == null) {
            throw new ModelFormatException(index, "weight_map puts tensor '" + tensor + "' in shard \"" + name
                    + "\", which is not a file name inside the folder");
        }
        return resolved;
    }

    /** All tensors of all shards, by name (shards in file name order, each in header order). */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new ModelFormatException(dir, "no tensor named '" + name + "' in the checkpoint");
        }
        return t;
    }

    public Optional<Tensor> findTensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    public Path dir() {
        return dir;
    }

    /** The files the tensors come from: one, or each shard once. */
    public List<Path> files() {
        return files.stream().map(SafetensorsFile::path).toList();
    }

    /** Unmaps every file. Closing twice is harmless. */
    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
