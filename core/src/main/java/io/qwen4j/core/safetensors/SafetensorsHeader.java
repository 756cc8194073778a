package io.qwen4j.core.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.tensor.GGMLType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates the JSON header of a safetensors file: dtypes, shapes, and data offsets that must lie
 * inside the data section, match dtype size times element count, and not overlap.
 */
final class SafetensorsHeader {

    static final String METADATA_KEY = "__metadata__";

    /** A tensor's place in the data section (offsets relative to its start). */
    record Entry(String name, GGMLType type, long[] shape, long begin, long end) {
    }

    record Parsed(List<Entry> entries, Map<String, String> metadata) {
    }

    /** Rejects duplicate keys and trailing garbage; Jackson's default limits bound nesting depth and sizes. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path path;

    private SafetensorsHeader(Path path) {
        this.path = path;
    }

    static Parsed parse(Path path, byte[] json, long dataSize) {
        return new SafetensorsHeader(path).parse(json, dataSize);
    }

    /** Reads JSON into a tree; a syntax error becomes a one-line {@link ModelFormatException}. */
    static JsonNode readJson(Path path, byte[] json, String what) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new ModelFormatException(path, "invalid JSON in " + what + ": "
                    + e.getOriginalMessage().replaceAll("\\s+", " ") + where);
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    private Parsed parse(byte[] json, long dataSize) {
        JsonNode root = readJson(path, json, "the header");
        if (root == null || !root.isObject()) {
            throw error("the header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata(field.getValue(), metadata);
            } else {
                entries.add(entry(field.getKey(), field.getValue(), dataSize));
            }
        }
        checkOverlaps(entries);
        return new Parsed(entries, metadata);
    }

    private void metadata(JsonNode node, Map<String, String> out) {
        if (!node.isObject()) {
            throw error(METADATA_KEY + " is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw error(METADATA_KEY + " value '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private Entry entry(String name, JsonNode node, long dataSize) {
        String what = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw error(what + " is not a JSON object");
        }
        JsonNode dtype = node.get("dtype");
        if (dtype == null || !dtype.isTextual()) {
            throw error(what + " has no string \"dtype\"");
        }
        GGMLType type = SafetensorsDType.toGGML(dtype.textValue());
        if (type == null) {
            throw error(what + " has dtype " + dtype.textValue() + ", which qwen4j does not read (supported: "
                    + SafetensorsDType.SUPPORTED + ")");
        }
        long[] shape = naturals(node.get("shape"), what, "shape", -1);
        long[] offsets = naturals(node.get("data_offsets"), what, "data_offsets", 2);
        long elements = 1;
        long bytes;
        try {
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            bytes = type.byteSize(elements);
        } catch (ArithmeticException e) {
            throw error(what + " has too many elements: shape " + java.util.Arrays.toString(shape));
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataSize) {
            throw error(what + " data_offsets [" + begin + ", " + end + "] lie outside the data section of "
                    + dataSize + " bytes");
        }
        if (end - begin != bytes) {
            throw error(what + " data_offsets [" + begin + ", " + end + "] span " + (end - begin) + " bytes, but "
                    + dtype.textValue() + " " + java.util.Arrays.toString(shape) + " takes " + bytes);
        }
        return new Entry(name, type, shape, begin, end);
    }

    /** A JSON array of non-negative integers that fit in a long ({@code length} -1: any length). */
    private long[] naturals(JsonNode node, String what, String field, int length) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw error(what + " has no \"" + field + "\" array" + (length >= 0 ? " of " + length + " integers" : ""));
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = node.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
                throw error(what + " " + field + "[" + i + "] = " + n + " is not an integer between 0 and 2^63-1");
            }
            out[i] = n.longValue();
        }
        return out;
    }

    /** Sorted by start, non-empty ranges overlap somewhere exactly when two neighbours overlap. */
    private void checkOverlaps(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>();
        for (Entry e : entries) {
            if (e.end > e.begin) { // an empty tensor occupies no bytes
                sorted.add(e);
            }
        }
        sorted.sort(Comparator.comparingLong(Entry::begin));
        for (int i = 1; i < sorted.size(); i++) {
            Entry prev = sorted.get(i - 1);
            Entry cur = sorted.get(i);
            if (prev.end > cur.begin) {
                throw error("tensors '" + prev.name + "' [" + prev.begin + ", " + prev.end + "] and '" + cur.name
                        + "' [" + cur.begin + ", " + cur.end + "] overlap");
            }
        }
    }

    private ModelFormatException error(String problem) {
        return new ModelFormatException(path, problem);
    }
}
