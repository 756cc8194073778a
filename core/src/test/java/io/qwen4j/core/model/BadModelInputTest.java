package io.qwen4j.core.model;

import io.qwen4j.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model-level bad input: every failure is a one-line message naming the file and the problem. */
class BadModelInputTest {

    private static final Path QWEN3_HF = Fixtures.MODELS.resolve("qwen3-tiny/hf");

    @TempDir
    Path tmp;

    private Path hfCopyWithConfig(String config) throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        for (String f : new String[] {"model.safetensors", "tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(QWEN3_HF.resolve(f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("config.json"), config);
        return dir;
    }

    private String config() throws IOException {
        return Files.readString(QWEN3_HF.resolve("config.json"));
    }

    @Test
    void missingPath() {
        Path p = tmp.resolve("nothing.gguf");
        var e = assertThrows(ModelFormatException.class, () -> Model.load(p));
        assertEquals(p + ": file not found", e.getMessage());
    }

    @Test
    void configWithoutAField() throws IOException {
        Path dir = hfCopyWithConfig(config().replace("\"hidden_size\": 256,", ""));
        var e = assertThrows(ModelFormatException.class, () -> Model.load(dir));
        assertEquals(dir.resolve("config.json") + ": missing field 'hidden_size' (an integer)", e.getMessage());
    }

    @Test
    void configFieldOfTheWrongType() throws IOException {
        Path dir = hfCopyWithConfig(config().replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": \"two\""));
        var e = assertThrows(ModelFormatException.class, () -> Model.load(dir));
        assertEquals(dir.resolve("config.json") + ": field 'num_hidden_layers' must be an integer, got \"two\"", e.getMessage());
    }

    @Test
    void configThatIsNotJson() throws IOException {
        Path dir = hfCopyWithConfig("{\"architectures\": [");
        var e = assertThrows(ModelFormatException.class, () -> Model.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("config.json") + ": not valid JSON"), e.getMessage());
    }

    @Test
    void unknownArchitecture() throws IOException {
        Path dir = hfCopyWithConfig(config().replace("Qwen3ForCausalLM", "LlamaForCausalLM"));
        var e = assertThrows(ModelFormatException.class, () -> Model.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("config.json") + ": unsupported architecture 'LlamaForCausalLM'"),
                e.getMessage());
    }

    @Test
    void configShapesThatDisagreeWithTheWeights() throws IOException {
        Path dir = hfCopyWithConfig(config().replace("\"intermediate_size\": 512", "\"intermediate_size\": 768"));
        var e = assertThrows(ModelFormatException.class, () -> Model.load(dir));
        assertEquals(dir + ": tensor model.layers.0.mlp.gate_proj.weight has shape [512, 256], expected [768, 256]",
                e.getMessage());
    }

    @Test
    void missingWeight() throws IOException {
        Path dir = hfCopyWithConfig(config().replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false"));
        var e = assertThrows(ModelFormatException.class, () -> Model.load(dir));
        assertEquals(dir + ": missing tensor lm_head.weight", e.getMessage());
    }

    @Test
    void tokenIdOutsideTheVocabulary() {
        try (Model m = Model.load(Fixtures.MODELS.resolve("qwen3-tiny/model.gguf"))) {
            Session s = m.newSession(64);
            var e = assertThrows(IllegalArgumentException.class, () -> s.ingest(1, 2, 4224));
            assertEquals("token id 4224 at index 2 is outside the vocabulary (0..4223)", e.getMessage());
            assertEquals(0, s.position(), "a rejected batch must not advance the session");
        }
    }

    @Test
    void promptLongerThanTheContext() {
        try (Model m = Model.load(Fixtures.MODELS.resolve("qwen3-tiny/model.gguf"))) {
            Session s = m.newSession(4);
            var e = assertThrows(ContextOverflowException.class, () -> s.ingest(1, 2, 3, 4, 5));
            assertEquals("context overflow: 0 tokens in context + 5 new = 5 > context length 4", e.getMessage());
        }
    }
}
