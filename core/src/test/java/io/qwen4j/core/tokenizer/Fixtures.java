package io.qwen4j.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test data: the golden files of testdata/tokenizer and the tiny models, and one shared Qwen3 tokenizer. */
final class Fixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    private static Tokenizer qwen3;

    private Fixtures() {
    }

    static Path testdata() {
        String dir = System.getProperty("qwen4j.testdata");
        if (dir == null) {
            throw new IllegalStateException("system property qwen4j.testdata is not set (Maven Surefire sets it)");
        }
        return Path.of(dir);
    }

    static Path qwen3TokenizerJson() {
        return testdata().resolve("tokenizer/qwen3/tokenizer.json");
    }

    /** The real Qwen3 tokenizer, loaded once for all tests (151K tokens). */
    static synchronized Tokenizer qwen3() {
        if (qwen3 == null) {
            qwen3 = Tokenizer.fromTokenizerJson(qwen3TokenizerJson());
        }
        return qwen3;
    }

    record EncodeCase(int line, String text, int[] ids, String decoded) {
        @Override
        public String toString() {
            return "line " + line + ": " + preview(text);
        }
    }

    record DecodeCase(int line, int[] ids, boolean skipSpecialTokens, String decoded, String note) {
        @Override
        public String toString() {
            return "line " + line + ": " + note;
        }
    }

    static String preview(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        StringBuilder sb = new StringBuilder();
        shown.codePoints().forEach(c -> {
            if (c < 0x20 || (c >= 0x7F && c < 0xA0) || Character.getType(c) == Character.FORMAT) {
                sb.append(String.format("\\u%04X", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }

    static List<EncodeCase> encodeCases() {
        List<EncodeCase> cases = new ArrayList<>();
        List<JsonNode> lines = jsonLines(testdata().resolve("tokenizer/qwen3-golden.jsonl"));
        for (int i = 0; i < lines.size(); i++) {
            JsonNode node = lines.get(i);
            cases.add(new EncodeCase(i + 1, node.get("text").textValue(), ints(node.get("ids")),
                    node.get("decoded").textValue()));
        }
        return cases;
    }

    static List<DecodeCase> decodeCases() {
        List<DecodeCase> cases = new ArrayList<>();
        List<JsonNode> lines = jsonLines(testdata().resolve("tokenizer/qwen3-decode-golden.jsonl"));
        for (int i = 0; i < lines.size(); i++) {
            JsonNode node = lines.get(i);
            cases.add(new DecodeCase(i + 1, ints(node.get("ids")), node.get("skip_special_tokens").booleanValue(),
                    node.get("decoded").textValue(), node.get("note").textValue()));
        }
        return cases;
    }

    static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).intValue();
        }
        return values;
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> jsonLines(Path file) {
        try {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    nodes.add(JSON.readTree(line));
                }
            }
            return nodes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
