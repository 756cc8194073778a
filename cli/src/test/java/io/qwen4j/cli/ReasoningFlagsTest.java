package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.generate.output.ToolCall;
import io.qwen4j.core.generate.output.ToolCallError;
import io.qwen4j.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --think/--no-think, --thinking-budget, --tools and the new --json fields, driven as a user drives them. */
class ReasoningFlagsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String MODEL = CliRunner.model("qwen3-tiny/model.gguf");
    private static final Tokenizer TOKENIZER = Tokenizer.fromDirectory(Path.of(CliRunner.model("qwen3-tiny/hf")));
    private static final String TOOL = "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": "
            + "\"Weather now.\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}";

    @TempDir
    Path tmp;

    private static JsonNode generate(String... extra) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("generate", "--model", MODEL, "--prompt", "Hi",
                "--temperature", "0", "--max-tokens", "8", "--json"));
        args.addAll(List.of(extra));
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        return MAPPER.readTree(r.out());
    }

    private static String promptText(JsonNode out) {
        return TOKENIZER.decode(MAPPER.convertValue(out.get("prompt_ids"), int[].class));
    }

    @Test
    void jsonHasTheOutputTakenApartAndTheUsage() throws IOException {
        JsonNode out = generate();
        List<String> fields = new java.util.ArrayList<>();
        out.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("prompt_ids", "ids", "text", "reasoning", "content", "tool_calls", "tool_call_errors",
                "finish_reason", "usage", "timings"), fields);
        assertEquals(out.get("prompt_ids").size(), out.get("usage").get("prompt_tokens").intValue());
        assertEquals(out.get("ids").size(), out.get("usage").get("completion_tokens").intValue());
        assertEquals(0, out.get("usage").get("reasoning_tokens").intValue());
        assertTrue(out.get("reasoning").isNull(), "the random model opens no think block");
        assertEquals(out.get("text"), out.get("content"));
        assertEquals(0, out.get("tool_calls").size());
    }

    @Test
    void noThinkRendersTheEmptyThinkBlockAndNothingIsReasoning() throws IOException {
        JsonNode out = generate("--no-think");
        assertTrue(promptText(out).endsWith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"),
                promptText(out));
        assertTrue(out.get("reasoning").isNull());
        assertEquals(out.get("text"), out.get("content"));
        assertTrue(promptText(generate("--think")).endsWith("<|im_start|>assistant\n"), "--think leaves the block to the model");
    }

    @Test
    void thinkingBudgetZeroOpensAndClosesAnEmptyBlock() throws IOException {
        JsonNode out = generate("--thinking-budget", "0");
        int[] ids = MAPPER.convertValue(out.get("ids"), int[].class);
        int[] block = TOKENIZER.encode("<think>\n\n</think>\n\n");
        assertEquals(List.of(4120, 271, 4121, 271), java.util.Arrays.stream(block).boxed().toList());
        assertEquals(java.util.Arrays.stream(block).boxed().toList(),
                java.util.Arrays.stream(ids, 0, 4).boxed().toList());
        assertEquals("", out.get("reasoning").textValue());
        assertEquals(out.get("text").textValue().substring("<think>\n\n</think>\n\n".length()), out.get("content").textValue());
        assertEquals(3, out.get("usage").get("reasoning_tokens").intValue());
        assertEquals(8, out.get("usage").get("completion_tokens").intValue());
    }

    @Test
    void toolsAreRenderedIntoThePrompt() throws IOException {
        Path tools = Files.writeString(tmp.resolve("tools.json"), "[" + TOOL + "]");
        String prompt = promptText(generate("--tools", tools.toString()));
        assertTrue(prompt.startsWith("<|im_start|>system\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" + TOOL + "\n</tools>"), prompt);
        assertTrue(prompt.endsWith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"), prompt);
    }

    @Test
    void badFlagsAreClearErrors() throws IOException {
        CliRunner r = CliRunner.run("generate", "--model", MODEL, "--raw", "--prompt", "Hi", "--no-think");
        assertEquals("error: --no-think needs the chat template: drop --raw\n", r.err());
        Path missing = tmp.resolve("none.json");
        r = CliRunner.run("generate", "--model", MODEL, "--prompt", "Hi", "--tools", missing.toString());
        assertEquals("error: " + missing + ": file not found\n", r.err());
        Path bad = Files.writeString(tmp.resolve("bad.json"), "[{\"type\": \"function\"}]");
        r = CliRunner.run("generate", "--model", MODEL, "--prompt", "Hi", "--tools", bad.toString());
        assertEquals("error: " + bad + ": tools[0].function must be an object with a name\n", r.err());
        r = CliRunner.run("generate", "--model", MODEL, "--prompt", "Hi", "--thinking-budget", "-2");
        assertEquals("error: --thinking-budget must not be negative, got -2\n", r.err());
        assertEquals(1, r.exitCode());
    }

    @Test
    void chatWithABudgetOfZeroShowsOnlyTheAnswerAndSendsToolResults() {
        CliRunner r = CliRunner.runWithInput("Hi\n/tool {\"celsius\": 21}\n", "chat", "--model", MODEL,
                "--thinking-budget", "0", "--temperature", "0", "--max-tokens", "6");
        assertEquals(0, r.exitCode(), r.err());
        String[] answers = r.out().split("\n", -1);
        assertTrue(!answers[0].contains("<think>") && !answers[0].contains("</think>"), "an empty block shows nothing: " + r.out());
        assertTrue(r.err().contains("(3 reasoning)"), r.err());
        assertEquals(2, r.err().lines().filter(l -> l.startsWith("[")).count(), "two answers: " + r.err());
    }

    @Test
    void reasoningIsShownApartFromTheAnswerDimmedOnATerminal() {
        List<OutputEvent> events = List.of(new OutputEvent.Reasoning("Let me"), new OutputEvent.Reasoning(" think."),
                new OutputEvent.Content("Sunny."), new ToolCall("call_1", "get_weather", "{\"city\": \"Paris\"}"),
                new ToolCallError("{oops", "invalid JSON: oops"));
        StringWriter plain = new StringWriter();
        AnswerPrinter p = new AnswerPrinter(new PrintWriter(plain), false);
        events.forEach(p);
        p.finish();
        assertEquals("Let me think.\n\nSunny.\n[tool call call_1] get_weather {\"city\": \"Paris\"}\n"
                + "[malformed tool call: invalid JSON: oops] {oops\n", plain.toString());
        StringWriter ansi = new StringWriter();
        p = new AnswerPrinter(new PrintWriter(ansi), true);
        p.accept(events.get(0));
        p.accept(events.get(2));
        p.finish();
        assertEquals("\u001b[2mLet me\u001b[0m\n\nSunny.\n", ansi.toString());
        StringWriter cut = new StringWriter();
        p = new AnswerPrinter(new PrintWriter(cut), true);
        p.accept(events.get(0));
        p.finish();
        assertEquals("\u001b[2mLet me\u001b[0m\n", cut.toString(), "a cut-short think block is reset");
    }
}
