package io.qwen4j.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Typed access to the fields of a JSON config file, with errors that name the file and the field. */
final class JsonConfig {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;
    private final JsonNode root;

    private JsonConfig(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    static JsonConfig read(Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, "not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, "expected a JSON object at the top level");
        }
        return new JsonConfig(file, root);
    }

    static Optional<JsonConfig> readIfExists(Path file) {
        return Files.isRegularFile(file) ? Optional.of(read(file)) : Optional.empty();
    }

    Path file() {
        return file;
    }

    JsonNode node(String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n;
    }

    boolean has(String field) {
        return node(field) != null;
    }

    int requireInt(String field) {
        return optInt(field).orElseThrow(() -> missing(field, "an integer"));
    }

    Optional<Integer> optInt(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw wrongType(field, "an integer", n);
        }
        return Optional.of(n.intValue());
    }

    Optional<Double> optNumber(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isNumber()) {
            throw wrongType(field, "a number", n);
        }
        return Optional.of(n.doubleValue());
    }

    Optional<Boolean> optBoolean(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isBoolean()) {
            throw wrongType(field, "true or false", n);
        }
        return Optional.of(n.booleanValue());
    }

    Optional<String> optString(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw wrongType(field, "a string", n);
        }
        return Optional.of(n.textValue());
    }

    String requireString(String field) {
        return optString(field).orElseThrow(() -> missing(field, "a string"));
    }

    /** An integer or a list of integers (as {@code eos_token_id} may be). */
    List<Integer> intOrIntList(String field) {
        JsonNode n = node(field);
        List<Integer> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (n.isIntegralNumber() && n.canConvertToInt()) {
            out.add(n.intValue());
            return out;
        }
        if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                    throw wrongType(field, "an integer or a list of integers", n);
                }
                out.add(e.intValue());
            }
            return out;
        }
        throw wrongType(field, "an integer or a list of integers", n);
    }

    ModelFormatException missing(String field, String expected) {
        return new ModelFormatException(file, "missing field '" + field + "' (" + expected + ")");
    }

    ModelFormatException wrongType(String field, String expected, JsonNode actual) {
        String shown = actual.toString();
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "...";
        }
        return new ModelFormatException(file, "field '" + field + "' must be " + expected + ", got " + shown);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
