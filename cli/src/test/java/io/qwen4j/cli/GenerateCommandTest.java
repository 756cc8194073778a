package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The acceptance commands: greedy generation through the CLI prints the fixtures' greedy ids. */
class GenerateCommandTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"qwen3-tiny/model.gguf, qwen3-tiny", "qwen3-tiny/hf, qwen3-tiny", "qwen2-tiny/model.gguf, qwen2-tiny",
            "qwen2-tiny/hf, qwen2-tiny"})
    void greedyJsonMatchesTheFixture(String model, String fixture) throws IOException {
        for (String cache : new String[] {"f16", "f32"}) {
            check(model, fixture, cache);
        }
    }

    private void check(String model, String fixture, String cache) throws IOException {
        CliRunner r = CliRunner.run("generate", "--model", CliRunner.model(model), "--raw", "--cache-type", cache,
                "--prompt", "Hello, my name is", "--temperature", "0", "--max-tokens", "24", "--json");
        assertEquals(0, r.exitCode(), r.err());
        ObjectMapper mapper = new ObjectMapper();
        JsonNode out = mapper.readTree(r.out());
        JsonNode p1 = mapper.readTree(Path.of(CliRunner.model(fixture)).resolve("reference.json").toFile())
                .get("prompts").get(0);
        assertEquals(p1.get("ids"), out.get("prompt_ids"));
        assertEquals(p1.get("greedy_ids"), out.get("ids"));
        assertEquals("length", out.get("finish_reason").textValue());
        assertTrue(out.get("text").textValue().length() > 0);
        assertEquals(24, out.get("timings").get("generated_tokens").intValue());
        assertTrue(r.err().contains("tokens/s"), r.err());
    }
}
