package io.qwen4j.core.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwen4j.core.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face {@code tokenizer.json} and checks that it describes the tokenizer this package implements:
 * a BPE model without byte fallback, an NFC normalizer (or none), the Qwen split pattern followed by ByteLevel, a
 * ByteLevel decoder, and added tokens without lstrip/rstrip/single_word handling. Anything else is refused with a
 * message naming the file and the field, rather than tokenized differently from Hugging Face.
 */
final class TokenizerJsonReader {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;
    /** The parts of the file this reader uses; the big vocab and merges are streamed, the rest kept as trees. */
    private final Map<String, JsonNode> sections = new HashMap<>();
    private final ObjectNode modelOptions = MAPPER.createObjectNode();
    private boolean sawModel;
    private String[] regular;
    private String[] mergeLeft;
    private String[] mergeRight;

    private TokenizerJsonReader(Path file) {
        this.file = file;
    }

    static TokenizerSpec read(Path file) {
        return new TokenizerJsonReader(file).parse();
    }

    private ModelFormatException problem(String what) {
        return new ModelFormatException(file, what);
    }

    private TokenizerSpec parse() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw problem("file not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot be read: " + e, e);
        }
        try (JsonParser parser = MAPPER.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw problem("not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                switch (name) {
                    case "model" -> readModel(parser);
                    case "added_tokens", "normalizer", "pre_tokenizer", "decoder" ->
                            sections.put(name, parser.readValueAsTree());
                    default -> parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) {
                throw problem("not valid JSON: content after the top-level object");
            }
        } catch (JsonProcessingException e) {
            throw problem("not valid JSON: " + e.getOriginalMessage().replace('\n', ' '));
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot be read: " + e, e);
        }
        if (!sawModel) {
            throw problem("\"model\" is missing or not an object");
        }
        checkModelOptions(modelOptions);
        if (regular == null) {
            throw problem("model.vocab is missing or not an object");
        }
        if (mergeLeft == null) {
            throw problem("model.merges is missing or not an array");
        }
        boolean nfc = checkNormalizer(sections.get("normalizer"));
        checkPreTokenizer(sections.get("pre_tokenizer"));
        checkDecoder(sections.get("decoder"));
        List<TokenizerSpec.AddedToken> added = readAddedTokens(sections.get("added_tokens"));
        boolean ignoreMerges = modelOptions.path("ignore_merges").asBoolean(false);
        return new TokenizerSpec(file.toString(), regular, mergeLeft, mergeRight, added, nfc, ignoreMerges);
    }

    private void readModel(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        sawModel = true;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("vocab") && value == JsonToken.START_OBJECT) {
                readVocab(parser);
            } else if (name.equals("merges") && value == JsonToken.START_ARRAY) {
                readMerges(parser);
            } else if (name.equals("vocab") || name.equals("merges")) {
                parser.skipChildren(); // wrong shape: reported as missing
            } else {
                modelOptions.set(name, parser.readValueAsTree());
            }
        }
    }

    private void readVocab(JsonParser parser) throws IOException {
        List<String> tokens = new ArrayList<>(1 << 16);
        int[] ids = new int[1 << 16];
        int maxId = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String token = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                    || parser.getIntValue() < 0) {
                throw problem("model.vocab has an id that is not a non-negative integer: \"" + token + "\": "
                        + parser.getText());
            }
            if (tokens.size() == ids.length) {
                ids = Arrays.copyOf(ids, ids.length * 2);
            }
            ids[tokens.size()] = parser.getIntValue();
            maxId = Math.max(maxId, parser.getIntValue());
            tokens.add(token);
        }
        regular = new String[maxId + 1];
        for (int i = 0; i < tokens.size(); i++) {
            int id = ids[i];
            if (regular[id] != null) {
                throw problem("model.vocab gives id " + id + " to both \"" + regular[id] + "\" and \""
                        + tokens.get(i) + "\"");
            }
            regular[id] = tokens.get(i);
        }
    }

    private void readMerges(JsonParser parser) throws IOException {
        List<String> left = new ArrayList<>(1 << 16);
        List<String> right = new ArrayList<>(1 << 16);
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            int index = left.size();
            String a = null;
            String b = null;
            if (token == JsonToken.START_ARRAY) {
                if (parser.nextToken() == JsonToken.VALUE_STRING) {
                    a = parser.getText();
                    if (parser.nextToken() == JsonToken.VALUE_STRING) {
                        b = parser.getText();
                        if (parser.nextToken() != JsonToken.END_ARRAY) {
                            b = null;
                        }
                    }
                }
            } else if (token == JsonToken.VALUE_STRING) {
                String[] parts = parser.getText().split(" ", -1);
                if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
                    a = parts[0];
                    b = parts[1];
                }
            }
            if (a == null || b == null) {
                String shown = token == JsonToken.START_ARRAY || token == JsonToken.VALUE_STRING
                        ? token == JsonToken.VALUE_STRING ? "\"" + parser.getText() + "\"" : "an array"
                        : parser.getText();
                throw problem("model.merges[" + index + "] is " + shown
                        + ", not a pair of tokens (\"a b\" or [\"a\", \"b\"])");
            }
            left.add(a);
            right.add(b);
        }
        mergeLeft = left.toArray(String[]::new);
        mergeRight = right.toArray(String[]::new);
    }

    private void checkModelOptions(JsonNode model) {
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE")) {
            throw problem("model.type is \"" + type + "\"; only BPE is supported");
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw problem("model.byte_fallback is true; only byte-level BPE without byte fallback is supported");
        }
        if (!isNullOrZero(model.get("dropout"))) {
            throw problem("model.dropout is set; BPE dropout is not supported");
        }
        for (String field : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode value = model.get(field);
            if (value != null && !value.isNull() && !value.asText().isEmpty()) {
                throw problem("model." + field + " is \"" + value.asText() + "\"; it must be empty");
            }
        }
    }

    private static boolean isNullOrZero(JsonNode node) {
        return node == null || node.isNull() || (node.isNumber() && node.asDouble() == 0.0);
    }

    private boolean checkNormalizer(JsonNode normalizer) {
        if (normalizer == null || normalizer.isNull()) {
            return false;
        }
        String type = normalizer.path("type").asText();
        if (!type.equals("NFC")) {
            throw problem("normalizer " + normalizer + " is not supported (only NFC or none)");
        }
        return true;
    }

    private void checkPreTokenizer(JsonNode pre) {
        String expected = "a Sequence of Split with the Qwen pattern (Isolated) and ByteLevel without regex";
        if (pre == null || !pre.path("type").asText().equals("Sequence") || pre.path("pretokenizers").size() != 2) {
            throw problem("pre_tokenizer is not supported: expected " + expected + ", found " + pre);
        }
        JsonNode split = pre.get("pretokenizers").get(0);
        JsonNode byteLevel = pre.get("pretokenizers").get(1);
        boolean ok = split.path("type").asText().equals("Split")
                && split.path("pattern").path("Regex").asText().equals(QwenSplitter.PATTERN)
                && split.path("behavior").asText().equals("Isolated")
                && !split.path("invert").asBoolean(false)
                && byteLevel.path("type").asText().equals("ByteLevel")
                && !byteLevel.path("add_prefix_space").asBoolean(false)
                && !byteLevel.path("use_regex").asBoolean(true);
        if (!ok) {
            throw problem("pre_tokenizer is not supported: expected " + expected + ", found " + pre);
        }
    }

    private void checkDecoder(JsonNode decoder) {
        if (decoder == null || !decoder.path("type").asText().equals("ByteLevel")) {
            throw problem("decoder " + decoder + " is not supported (only ByteLevel)");
        }
    }

    private List<TokenizerSpec.AddedToken> readAddedTokens(JsonNode tokens) {
        List<TokenizerSpec.AddedToken> added = new ArrayList<>();
        if (tokens == null || tokens.isNull()) {
            return added;
        }
        if (!tokens.isArray()) {
            throw problem("added_tokens is not an array");
        }
        for (int i = 0; i < tokens.size(); i++) {
            JsonNode token = tokens.get(i);
            JsonNode id = token.get("id");
            JsonNode content = token.get("content");
            if (id == null || !id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw problem("added_tokens[" + i + "].id is missing or not a non-negative integer");
            }
            if (content == null || !content.isTextual() || content.textValue().isEmpty()) {
                throw problem("added_tokens[" + i + "].content is missing, empty or not a string");
            }
            for (String flag : List.of("lstrip", "rstrip", "single_word")) {
                if (token.path(flag).asBoolean(false)) {
                    throw problem("added_tokens[" + i + "] (\"" + content.textValue() + "\") sets " + flag
                            + ", which is not supported");
                }
            }
            boolean special = token.path("special").asBoolean(false);
            boolean normalized = token.path("normalized").asBoolean(!special);
            added.add(new TokenizerSpec.AddedToken(id.intValue(), content.textValue(), special, normalized));
        }
        return added;
    }
}
