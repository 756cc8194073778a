package io.qwen4j.core.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
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
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw problem("file not found");
        } catch (JsonProcessingException e) {
            throw problem("not valid JSON: " + e.getOriginalMessage().replace('\n', ' '));
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot be read: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw problem("not a JSON object");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw problem("\"model\" is missing or not an object");
        }
        checkModelOptions(model);
        boolean nfc = checkNormalizer(root.get("normalizer"));
        checkPreTokenizer(root.get("pre_tokenizer"));
        checkDecoder(root.get("decoder"));

        String[] regular = readVocab(model.get("vocab"));
        List<String[]> merges = readMerges(model.get("merges"));
        String[] left = new String[merges.size()];
        String[] right = new String[merges.size()];
        for (int i = 0; i < left.length; i++) {
            left[i] = merges.get(i)[0];
            right[i] = merges.get(i)[1];
        }
        List<TokenizerSpec.AddedToken> added = readAddedTokens(root.get("added_tokens"));
        boolean ignoreMerges = model.path("ignore_merges").asBoolean(false);
        return new TokenizerSpec(file.toString(), regular, left, right, added, nfc, ignoreMerges);
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

    private String[] readVocab(JsonNode vocab) {
        if (vocab == null || !vocab.isObject()) {
            throw problem("model.vocab is missing or not an object");
        }
        int maxId = -1;
        for (JsonNode id : vocab) {
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0) {
                throw problem("model.vocab has an id that is not a non-negative integer: " + id);
            }
            maxId = Math.max(maxId, id.intValue());
        }
        String[] regular = new String[maxId + 1];
        Iterator<Map.Entry<String, JsonNode>> entries = vocab.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            int id = entry.getValue().intValue();
            if (regular[id] != null) {
                throw problem("model.vocab gives id " + id + " to both \"" + regular[id] + "\" and \""
                        + entry.getKey() + "\"");
            }
            regular[id] = entry.getKey();
        }
        return regular;
    }

    private List<String[]> readMerges(JsonNode merges) {
        if (merges == null || !merges.isArray()) {
            throw problem("model.merges is missing or not an array");
        }
        List<String[]> pairs = new ArrayList<>(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            JsonNode merge = merges.get(i);
            String[] pair = null;
            if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
                pair = new String[]{merge.get(0).textValue(), merge.get(1).textValue()};
            } else if (merge.isTextual()) {
                String[] parts = merge.textValue().split(" ", -1);
                if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
                    pair = parts;
                }
            }
            if (pair == null) {
                throw problem("model.merges[" + i + "] is " + merge + ", not a pair of tokens (\"a b\" or [\"a\", \"b\"])");
            }
            pairs.add(pair);
        }
        return pairs;
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
