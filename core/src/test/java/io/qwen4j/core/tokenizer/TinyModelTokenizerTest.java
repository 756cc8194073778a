package io.qwen4j.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The truncated tokenizer of the tiny models (4096 regular tokens, 3840 merges, 26 added tokens at 4096..4121),
 * from its tokenizer.json and from the GGUF metadata, against the prompt ids in reference.json and each other.
 */
class TinyModelTokenizerTest {

    private static Path model(String name) {
        return Fixtures.testdata().resolve("models").resolve(name);
    }

    private static Tokenizer fromGguf(String name) {
        Map<String, Object> kv = GgufMetadataForTest.read(model(name).resolve("model.gguf"));
        assertEquals("gpt2", kv.get("tokenizer.ggml.model"));
        return Tokenizer.fromGguf((String[]) kv.get("tokenizer.ggml.tokens"),
                (int[]) kv.get("tokenizer.ggml.token_type"), (String[]) kv.get("tokenizer.ggml.merges"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3-tiny", "qwen2-tiny"})
    void promptsEncodeToTheReferenceIds(String name) {
        Tokenizer json = Tokenizer.fromDirectory(model(name).resolve("hf"));
        Tokenizer gguf = fromGguf(name);
        JsonNode prompts = Fixtures.readJson(model(name).resolve("reference.json")).get("prompts");
        assertEquals(3, prompts.size());
        for (JsonNode prompt : prompts) {
            String text = prompt.get("text").textValue();
            int[] ids = Fixtures.ints(prompt.get("ids"));
            assertArrayEquals(ids, json.encode(text), prompt.get("name").textValue());
            assertArrayEquals(ids, gguf.encode(text), prompt.get("name").textValue());
            assertEquals(text, json.decode(ids));
            assertEquals(text, gguf.decode(ids));
            int[] greedy = Fixtures.ints(prompt.get("greedy_ids"));
            assertEquals(json.decode(greedy), gguf.decode(greedy));
        }
        int[] p2 = Fixtures.ints(prompts.get(1).get("ids"));
        assertEquals(4097, p2[0]);
        assertEquals("user\nWhat is 2+2?\nassistant\n", json.decode(p2, true));
    }

    @Test
    void ggufAndTokenizerJsonAgreeOnTheWholeCorpus() {
        Tokenizer json = Tokenizer.fromTokenizerJson(model("qwen3-tiny").resolve("hf/tokenizer.json"));
        Tokenizer gguf = fromGguf("qwen3-tiny");
        int compared = 0;
        for (Fixtures.EncodeCase c : Fixtures.encodeCases()) {
            int[] ids = json.encode(c.text());
            assertArrayEquals(ids, gguf.encode(c.text()), c::toString);
            assertEquals(c.decoded(), json.decode(ids), c::toString);
            assertEquals(c.decoded(), gguf.decode(ids), c::toString);
            compared++;
        }
        assertEquals(345, compared);
    }

    @Test
    void truncatedVocabularyMakesLongerEncodings() {
        // Same algorithm, fewer merges: the tiny tokenizer needs more tokens than the real one for the corpus.
        Tokenizer tiny = Tokenizer.fromTokenizerJson(model("qwen3-tiny").resolve("hf/tokenizer.json"));
        long tinyTokens = 0;
        long realTokens = 0;
        for (Fixtures.EncodeCase c : Fixtures.encodeCases()) {
            tinyTokens += tiny.encode(c.text()).length;
            realTokens += c.ids().length;
        }
        assertTrue(tinyTokens > realTokens * 1.2, tinyTokens + " vs " + realTokens);
    }

    @Test
    void ggufTokenTypes() {
        Tokenizer gguf = fromGguf("qwen3-tiny");
        Tokenizer json = Tokenizer.fromDirectory(model("qwen3-tiny").resolve("hf"));
        assertEquals(4122, gguf.vocabularySize());
        assertEquals(4122, json.vocabularySize());
        // UNUSED padding rows are unknown ids: never produced, skipped on decode
        assertFalse(gguf.isKnown(4122));
        assertTrue(gguf.tokenId("[PAD4122]").isEmpty());
        int[] padText = gguf.encode("[PAD4122]");
        assertArrayEquals(json.encode("[PAD4122]"), padText);
        assertTrue(java.util.Arrays.stream(padText).allMatch(id -> id < 4096));
        assertEquals("Hello", gguf.decode(new int[]{4122, 39, 4223, 301, 385})); // "Hello" is 39 301 385
        assertEquals("[PAD4122]", gguf.decode(padText));
        // CONTROL is special; USER_DEFINED is matched in text but not special
        assertTrue(gguf.isSpecial(4098));
        assertEquals(4120, gguf.tokenId("<think>").orElseThrow());
        assertFalse(gguf.isSpecial(4120));
        assertArrayEquals(new int[]{4120, 4121}, gguf.encode("<think></think>"));
        // llama.cpp's converter marks every <|...|> token CONTROL, so the fim tokens are special in the GGUF form
        // while tokenizer.json flags them special=false
        assertTrue(gguf.isSpecial(4112));
        assertFalse(json.isSpecial(4112));
        for (int id = 0; id < 4122; id++) {
            assertEquals(json.tokenText(id), gguf.tokenText(id));
        }
    }
}
