package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.constrain.Grammar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --json-schema and --grammar through generate and chat, with thinking closed first. */
class ConstraintFlagsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String MODEL = CliRunner.model("qwen3-tiny/model.gguf");
    private static final String SCHEMA = "{\"type\": \"object\", \"properties\": {\"ok\": {\"type\": \"boolean\"}, "
            + "\"n\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 9}}, \"required\": [\"ok\", \"n\"], "
            + "\"additionalProperties\": false}";

    @TempDir
    Path tmp;

    private static JsonNode generate(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("generate", "--model", MODEL, "--prompt", "Answer in JSON.",
                "--max-tokens", "60", "--json"));
        args.addAll(List.of(extra));
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        return MAPPER.readTree(r.out());
    }

    @Test
    void jsonSchemaAnswersAreValidForEverySeed() throws IOException {
        Path schema = Files.writeString(tmp.resolve("schema.json"), SCHEMA);
        Grammar grammar = Grammar.fromJsonSchema(SCHEMA);
        for (int seed = 1; seed <= 4; seed++) {
            JsonNode out = generate("--json-schema", schema.toString(), "--no-think", "--seed", String.valueOf(seed));
            String content = out.get("content").textValue();
            if (out.get("finish_reason").textValue().equals("stop")) {
                assertTrue(grammar.matches(content), content);
                JsonNode answer = MAPPER.readTree(content);
                assertEquals(Set.of("ok", "n"), Set.copyOf(List.copyOf(iterable(answer))));
                assertTrue(answer.get("ok").isBoolean() && answer.get("n").intValue() >= 0 && answer.get("n").intValue() <= 9, content);
            } else {
                assertEquals(60, out.get("ids").size(), "only the token limit may cut it short");
            }
        }
    }

    private static List<String> iterable(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void theGrammarAppliesAfterTheThinkBlock() throws IOException {
        Path gbnf = Files.writeString(tmp.resolve("yes-no.gbnf"), "root ::= \"yes\" | \"no\"\n");
        JsonNode out = generate("--grammar", gbnf.toString(), "--thinking-budget", "0", "--temperature", "0");
        assertTrue(out.get("text").textValue().startsWith("<think>\n\n</think>\n\n"), out.get("text").textValue());
        assertTrue(Set.of("yes", "no").contains(out.get("content").textValue()), out.toString());
        assertEquals("", out.get("reasoning").textValue());
        assertEquals("stop", out.get("finish_reason").textValue());
    }

    @Test
    void chatAnswersFollowTheGrammar() throws IOException {
        Path gbnf = Files.writeString(tmp.resolve("yes-no.gbnf"), "root ::= \"yes\" | \"no\"\n");
        CliRunner r = CliRunner.runWithInput("Is it sunny?\nAnd tomorrow?\n", "chat", "--model", MODEL, "--no-think",
                "--grammar", gbnf.toString(), "--temperature", "0", "--max-tokens", "10");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(2, lines.length, r.out());
        for (String line : lines) {
            assertTrue(Set.of("yes", "no").contains(line), r.out());
        }
    }

    @Test
    void badConstraintFlagsAreClearErrors() throws IOException {
        Path gbnf = Files.writeString(tmp.resolve("bad.gbnf"), "root ::= answer\n");
        Path schema = Files.writeString(tmp.resolve("schema.json"), SCHEMA);
        CliRunner r = CliRunner.run("generate", "--model", MODEL, "--prompt", "Hi", "--grammar", gbnf.toString(),
                "--json-schema", schema.toString());
        assertEquals("error: --json-schema and --grammar cannot be used together\n", r.err());
        r = CliRunner.run("generate", "--model", MODEL, "--prompt", "Hi", "--grammar", gbnf.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("error: " + gbnf + ": "), r.err());
        Path notJson = Files.writeString(tmp.resolve("s.json"), "{\"type\": \"object\", \"allOf\": []}");
        r = CliRunner.run("generate", "--model", MODEL, "--prompt", "Hi", "--json-schema", notJson.toString());
        assertTrue(r.err().startsWith("error: " + notJson + ": "), r.err());
    }
}
