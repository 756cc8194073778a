package io.qwen4j.core.tokenizer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwen4j.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading tokenizer.json and GGUF arrays: what is accepted, and the messages for what is not. */
class TokenizerLoadingTest {

    @TempDir
    Path dir;

    private static ObjectNode tinyJson() {
        return (ObjectNode) Fixtures.readJson(Fixtures.testdata().resolve("models/qwen3-tiny/hf/tokenizer.json"));
    }

    private Path write(ObjectNode json) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Fixtures.JSON.writeValue(file.toFile(), json);
        return file;
    }

    private void assertRejected(Consumer<ObjectNode> edit, String expected) throws IOException {
        ObjectNode json = tinyJson();
        edit.accept(json);
        Path file = write(json);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromTokenizerJson(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static ObjectNode model(ObjectNode json) {
        return (ObjectNode) json.get("model");
    }

    private static ObjectNode addedToken(ObjectNode json, int index) {
        return (ObjectNode) json.get("added_tokens").get(index);
    }

    @Test
    void missingOrUnreadableFiles() throws IOException {
        Path missing = dir.resolve("nothing.json");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromTokenizerJson(missing));
        assertEquals(missing + ": file not found", e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromDirectory(dir));
        assertEquals(dir + ": no tokenizer.json or qwen.tiktoken in this folder", e.getMessage());
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"model\": ");
        e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromTokenizerJson(broken));
        assertTrue(e.getMessage().startsWith(broken + ": not valid JSON"), e.getMessage());
        Path array = Files.writeString(dir.resolve("array.json"), "[1, 2]");
        e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromTokenizerJson(array));
        assertEquals(array + ": not a JSON object", e.getMessage());
    }

    @Test
    void missingOrInvalidFields() throws IOException {
        assertRejected(json -> json.remove("model"), "\"model\" is missing");
        assertRejected(json -> model(json).remove("vocab"), "model.vocab is missing");
        assertRejected(json -> model(json).put("vocab", 3), "model.vocab is missing or not an object");
        assertRejected(json -> model(json).withObjectProperty("vocab").put("Ġthe", -4), "not a non-negative integer");
        assertRejected(json -> model(json).withObjectProperty("vocab").put("zzzz", 0), "gives id 0 to both");
        assertRejected(json -> model(json).remove("merges"), "model.merges is missing");
        assertRejected(json -> ((ArrayNode) model(json).get("merges")).set(5, 123), "model.merges[5] is 123");
        assertRejected(json -> ((ArrayNode) model(json).get("merges")).set(7, "a b c"), "model.merges[7]");
        assertRejected(json -> ((ArrayNode) model(json).get("merges")).insertArray(0).add("Ġ").add("qqq"),
                "merge 0 (\"Ġ\" \"qqq\") uses \"qqq\", which is not in the vocabulary");
        assertRejected(json -> model(json).withObjectProperty("vocab").remove("Ā"), "no token for byte 0x00");
        assertRejected(json -> addedToken(json, 0).remove("id"), "added_tokens[0].id is missing");
        assertRejected(json -> addedToken(json, 2).put("content", ""), "added_tokens[2].content");
        assertRejected(json -> addedToken(json, 1).put("id", 5), "has id 5, which already belongs to \"&\"");
    }

    @Test
    void unsupportedSettingsAreRefusedRatherThanMisread() throws IOException {
        assertRejected(json -> model(json).put("type", "WordPiece"), "only BPE is supported");
        assertRejected(json -> model(json).put("byte_fallback", true), "byte_fallback");
        assertRejected(json -> model(json).put("dropout", 0.1), "dropout");
        assertRejected(json -> model(json).put("continuing_subword_prefix", "##"), "continuing_subword_prefix");
        assertRejected(json -> json.withObjectProperty("normalizer").put("type", "NFKC"), "normalizer");
        assertRejected(json -> ((ObjectNode) json.get("pre_tokenizer").get("pretokenizers").get(0))
                .withObjectProperty("pattern").put("Regex", "\\s+"), "pre_tokenizer is not supported");
        assertRejected(json -> json.putNull("pre_tokenizer"), "pre_tokenizer is not supported");
        assertRejected(json -> json.withObjectProperty("decoder").put("type", "WordPiece"), "decoder");
        assertRejected(json -> addedToken(json, 3).put("lstrip", true), "sets lstrip");
        assertRejected(json -> addedToken(json, 3).put("single_word", true), "sets single_word");
    }

    @Test
    void mergesMayBeStringsOrPairs() throws IOException {
        ObjectNode json = tinyJson();
        ArrayNode merges = (ArrayNode) model(json).get("merges");
        ArrayNode strings = Fixtures.JSON.createArrayNode();
        merges.forEach(pair -> strings.add(pair.get(0).textValue() + " " + pair.get(1).textValue()));
        model(json).set("merges", strings);
        Tokenizer fromStrings = Tokenizer.fromTokenizerJson(write(json));
        Tokenizer fromPairs = Tokenizer.fromTokenizerJson(
                Fixtures.testdata().resolve("models/qwen3-tiny/hf/tokenizer.json"));
        for (Fixtures.EncodeCase c : Fixtures.encodeCases()) {
            assertArrayEquals(fromPairs.encode(c.text()), fromStrings.encode(c.text()), c::toString);
        }
    }

    @Test
    void withoutNormalizerTextIsNotPutInNfc() throws IOException {
        ObjectNode json = tinyJson();
        json.putNull("normalizer");
        Tokenizer raw = Tokenizer.fromTokenizerJson(write(json));
        Tokenizer nfc = Tokenizer.fromDirectory(Fixtures.testdata().resolve("models/qwen3-tiny/hf"));
        assertEquals("e\u0301", raw.decode(raw.encode("e\u0301")));
        assertEquals("\u00e9", nfc.decode(nfc.encode("e\u0301")));
    }

    @Test
    void ggufArraysAreChecked() {
        String[] tokens = new String[256];
        int[] types = new int[256];
        for (int b = 0; b < 256; b++) {
            tokens[b] = String.valueOf(ByteLevel.charOf(b));
            types[b] = 1;
        }
        Tokenizer bytesOnly = Tokenizer.fromGguf(tokens, types, new String[0]);
        assertArrayEquals(new int[]{'h', 'i'}, bytesOnly.encode("hi"));

        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Tokenizer.fromGguf(tokens, new int[3], new String[0]));
        assertEquals("GGUF tokenizer: tokenizer.ggml.token_type has 3 entries but tokenizer.ggml.tokens has 256",
                e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromGguf(tokens, types, new String[]{"ab"}));
        assertEquals("GGUF tokenizer: merge 0 is \"ab\", not two tokens separated by one space", e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromGguf(tokens, types, new String[]{"a b"}));
        assertEquals("GGUF tokenizer: merge 0 (\"a\" \"b\") uses \"ab\", which is not in the vocabulary",
                e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromGguf(tokens, null, new String[0]));
        assertEquals("GGUF tokenizer: tokenizer.ggml.token_type is missing", e.getMessage());
        int[] badType = types.clone();
        badType[65] = 9;
        e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromGguf(tokens, badType, new String[0]));
        assertEquals("GGUF tokenizer: token 65 (\"A\") has unknown token type 9", e.getMessage());
        int[] unusedByte = types.clone();
        unusedByte[0] = 5;
        e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromGguf(tokens, unusedByte, new String[0]));
        assertTrue(e.getMessage().contains("no token for byte 0x00"), e.getMessage());
    }
}
