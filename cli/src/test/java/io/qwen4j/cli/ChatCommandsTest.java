package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.chat.ChatMessage;
import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.Generator;
import io.qwen4j.core.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chat-facing commands driven as a user drives them. */
class ChatCommandsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern STATS = Pattern.compile("\\[(\\d+) prompt tokens reused from the cache, (\\d+) new");

    @TempDir
    Path tmp;

    @Test
    void everyChatFixtureRendersExactlyThroughTheTemplateCommand() throws IOException {
        Path chat = CliRunner.TESTDATA.resolve("chat");
        int cases = 0;
        for (String name : List.of("qwen3", "qwen2.5-instruct", "qwq-32b", "qwen1.5-chat")) {
            Path template = chat.resolve("templates/" + name + ".jinja");
            for (String line : Files.readAllLines(chat.resolve(name + ".jsonl"))) {
                JsonNode c = MAPPER.readTree(line);
                Path input = tmp.resolve("case.json");
                Files.writeString(input, line);
                CliRunner r = CliRunner.run("template", "--template", template.toString(), "--input", input.toString());
                assertEquals(0, r.exitCode(), r.err());
                assertEquals(c.get("rendered").textValue(), r.out(), name + " / " + c.get("name").textValue());
                cases++;
            }
        }
        assertEquals(41, cases);
    }

    @Test
    void templateCommandUsesTheModelsOwnTemplate() throws IOException {
        Path chat = CliRunner.TESTDATA.resolve("chat");
        String line = Files.readAllLines(chat.resolve("qwen3.jsonl")).get(0);
        Path input = tmp.resolve("case.json");
        Files.writeString(input, line);
        for (String model : List.of("qwen3-tiny/model.gguf", "qwen3-tiny/hf")) {
            CliRunner r = CliRunner.run("template", "--model", CliRunner.model(model), "--input", input.toString());
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(MAPPER.readTree(line).get("rendered").textValue(), r.out());
        }
    }

    @Test
    void templateErrorsNameTheProblem() throws IOException {
        Path input = tmp.resolve("case.json");
        Files.writeString(input, "{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}");
        CliRunner r = CliRunner.run("template", "--model", CliRunner.model("qwen3-tiny/hf"), "--input", input.toString());
        assertEquals(1, r.exitCode());
        assertEquals("error: messages[0].role: unknown role 'robot' (expected system, user, assistant or tool)\n", r.err());

        Files.writeString(input, "{\"messages\": [{\"role\": \"user\", \"content\": 42}]}");
        r = CliRunner.run("template", "--model", CliRunner.model("qwen3-tiny/hf"), "--input", input.toString());
        assertEquals("error: messages[0].content must be a string, a list of parts or null\n", r.err());

        Path bad = tmp.resolve("bad.jinja");
        Files.writeString(bad, "{% for m in messages %}\n{{ m.content }\n{% endfor %}");
        Files.writeString(input, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        r = CliRunner.run("template", "--template", bad.toString(), "--input", input.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("line 2"), r.err());

        // a template's own raise_exception reaches the user with its message
        Files.writeString(bad, "{% for m in messages %}\n{% if m.role == 'user' %}{{ raise_exception('Only system messages here!') }}{% endif %}\n{% endfor %}");
        r = CliRunner.run("template", "--template", bad.toString(), "--input", input.toString());
        assertEquals(1, r.exitCode());
        assertEquals("error: template line 2: Only system messages here!\n", r.err());
    }

    @Test
    void generateAppliesTheChatTemplateWithASystemPrompt() throws IOException {
        CliRunner r = CliRunner.run("generate", "--model", CliRunner.model("qwen3-tiny/model.gguf"), "--system", "Be brief.",
                "--prompt", "Hi", "--temperature", "0", "--max-tokens", "4", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode out = MAPPER.readTree(r.out());
        try (Model m = Model.load(Path.of(CliRunner.model("qwen3-tiny/model.gguf")))) {
            int[] ids = MAPPER.convertValue(out.get("prompt_ids"), int[].class);
            assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                    m.tokenizer().decode(ids));
        }
    }

    @Test
    void promptLongerThanTheContextIsAClearError() {
        CliRunner r = CliRunner.run("generate", "--model", CliRunner.model("qwen3-tiny/model.gguf"), "--raw",
                "--prompt", "one two three four five six seven eight nine ten", "--ctx-size", "4");
        assertEquals(1, r.exitCode());
        // the tiny tokenizer knows few merges: these words are 16 tokens
        assertEquals("error: context overflow: 0 tokens in context + 16 new = 16 > context length 4\n", r.err());
    }

    /**
     * A scripted two-turn conversation through stdin: the second turn reuses the first turn's KV cache, and its
     * answer is exactly what a fresh run over the whole rendered conversation gives.
     */
    @Test
    void chatKeepsTheKvCacheBetweenTurns() {
        String model = CliRunner.model("qwen3-tiny/hf");
        CliRunner r = CliRunner.runWithInput("What is 2+2?\nAnd 3+3?\n/exit\n", "chat", "--model", model,
                "--system", "You are terse.", "--temperature", "0", "--max-tokens", "6");
        assertEquals(0, r.exitCode(), r.err());
        String[] answers = r.out().split("\n", -1);
        Matcher stats = STATS.matcher(r.err());
        assertTrue(stats.find(), r.err());
        assertEquals(0, Integer.parseInt(stats.group(1)), "first turn: nothing cached");
        int firstNew = Integer.parseInt(stats.group(2));
        assertTrue(stats.find(), r.err());
        int reused = Integer.parseInt(stats.group(1));
        int secondNew = Integer.parseInt(stats.group(2));
        assertTrue(reused >= firstNew, "second turn reuses at least the first prompt: " + r.err());

        // the same conversation computed from scratch gives the same second answer
        try (Model m = Model.load(Path.of(model))) {
            var format = m.chatFormat().orElseThrow();
            String first = answers[0];
            String prompt = format.render(List.of(ChatMessage.system("You are terse."), ChatMessage.user("What is 2+2?"),
                    ChatMessage.assistant(first), ChatMessage.user("And 3+3?")), true, Map.of());
            int[] ids = m.tokenizer().encode(prompt);
            assertEquals(ids.length, reused + secondNew, "cached + new = the whole second prompt");
            var fresh = Generator.generate(m.newSession(512), m.tokenizer(), ids,
                    GenerateOptions.greedy(6, m.endOfGenerationIds()), null);
            assertEquals(fresh.text(), answers[1]);
        }
    }
}
