package io.qwen4j.core.generate.output;

import io.qwen4j.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputParserTest {

    private static final String SCRIPT = "<think>a b</think>\n\nhello <tool_call>{\"name\": \"f\", \"arguments\": {\"x\": 1}}</tool_call>";
    private static final ParsedOutput EXPECTED = new ParsedOutput("a b", "hello",
            List.of(new ToolCall("call_1", "f", "{\"x\": 1}")), List.of());

    /** Parses the pieces in order, with call ids call_1, call_2, ... */
    static ParsedOutput parse(ThinkingStart start, List<OutputEvent> events, String... pieces) {
        AtomicInteger n = new AtomicInteger();
        OutputParser p = new OutputParser(start, events == null ? null : events::add, () -> "call_" + n.incrementAndGet());
        for (String piece : pieces) {
            p.append(piece);
        }
        p.finish();
        return p.result();
    }

    static ParsedOutput parse(ThinkingStart start, String... pieces) {
        return parse(start, null, pieces);
    }

    @Test
    void everySplitIntoTwoPiecesGivesTheSameResult() {
        for (int i = 0; i <= SCRIPT.length(); i++) {
            assertEquals(EXPECTED, parse(ThinkingStart.MAY_OPEN, SCRIPT.substring(0, i), SCRIPT.substring(i)), "split at " + i);
        }
    }

    @Test
    void everySplitIntoThreePiecesGivesTheSameResult() {
        for (int i = 0; i <= SCRIPT.length(); i++) {
            for (int j = i; j <= SCRIPT.length(); j++) {
                assertEquals(EXPECTED, parse(ThinkingStart.MAY_OPEN, SCRIPT.substring(0, i), SCRIPT.substring(i, j),
                        SCRIPT.substring(j)), "split at " + i + ", " + j);
            }
        }
    }

    @Test
    void oneCharacterAtATimeStreamsTheSameEventsAsWhole() {
        List<OutputEvent> events = new ArrayList<>();
        ParsedOutput streamed = parse(ThinkingStart.MAY_OPEN, events, SCRIPT.split(""));
        assertEquals(EXPECTED, streamed);
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        for (OutputEvent e : events) {
            switch (e) {
                case OutputEvent.Reasoning r -> {
                    assertEquals(0, content.length(), "reasoning comes before the content");
                    reasoning.append(r.text());
                }
                case OutputEvent.Content c -> content.append(c.text());
                case ToolCall call -> assertEquals("hello", content.toString(), "the call comes after its content");
                case ToolCallError err -> throw new AssertionError(err);
            }
        }
        assertEquals("a b", reasoning.toString());
        assertTrue(events.getLast() instanceof ToolCall);
    }

    /** The tiny tokenizer has <think>, </think>, <tool_call> and </tool_call> as single tokens. */
    @Test
    void tagsThatArriveAsTheirOwnTokensParseTheSame() {
        Tokenizer tokenizer = Tokenizer.fromDirectory(Path.of(System.getProperty("qwen4j.testdata"))
                .resolve("models/qwen3-tiny/hf"));
        int[] ids = tokenizer.encode(SCRIPT);
        assertEquals(tokenizer.tokenId("<think>").getAsInt(), ids[0]);
        List<String> pieces = new ArrayList<>();
        var decoder = tokenizer.newStreamingDecoder(false);
        for (int id : ids) {
            pieces.add(decoder.append(id));
        }
        pieces.add(decoder.flush());
        assertTrue(pieces.contains("</tool_call>"), pieces.toString());
        assertEquals(EXPECTED, parse(ThinkingStart.MAY_OPEN, pieces.toArray(String[]::new)));
    }

    @Test
    void qwenLayoutIsStrippedAsTheTemplateStripsIt() {
        // what Qwen3 writes: newlines around the reasoning, a blank line before the answer, each call on its lines
        String out = "<think>\nLet me think.\n\nDone.\n</think>\n\nSure.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"b\", \"arguments\": {\"q\": \"x y\"}}\n</tool_call>";
        ParsedOutput p = parse(ThinkingStart.MAY_OPEN, out);
        assertEquals("Let me think.\n\nDone.", p.reasoning());
        assertEquals("Sure.", p.content());
        assertEquals(List.of(new ToolCall("call_1", "a", "{}"), new ToolCall("call_2", "b", "{\"q\": \"x y\"}")), p.toolCalls());
    }

    @Test
    void anEmptyThinkBlockIsEmptyReasoningNotContent() {
        ParsedOutput p = parse(ThinkingStart.MAY_OPEN, "<think>\n\n</think>\n\nHi!");
        assertEquals("", p.reasoning());
        assertEquals("Hi!", p.content());
    }

    @Test
    void withoutAThinkBlockEverythingIsContentAndReasoningIsNull() {
        ParsedOutput p = parse(ThinkingStart.MAY_OPEN, "Hi <think>not reasoning</think>");
        assertNull(p.reasoning());
        assertEquals("Hi <think>not reasoning</think>", p.content());
    }

    @Test
    void whitespaceBeforeTheOpeningTagIsDropped() {
        ParsedOutput p = parse(ThinkingStart.MAY_OPEN, "\n ", "<th", "ink>r</think>c");
        assertEquals("r", p.reasoning());
        assertEquals("c", p.content());
    }

    @Test
    void aPromptThatOpenedTheBlockMakesTheOutputStartAsReasoning() {
        ParsedOutput p = parse(ThinkingStart.IN_THINK, "step 1\n</think>\n\nanswer");
        assertEquals("step 1", p.reasoning());
        assertEquals("answer", p.content());
    }

    @Test
    void aPromptThatClosedTheBlockMakesEverythingContent() {
        ParsedOutput p = parse(ThinkingStart.CLOSED, "<think>x</think>\n\ny");
        assertNull(p.reasoning());
        assertEquals("<think>x</think>\n\ny", p.content());
    }

    @Test
    void aThinkBlockThatNeverClosesIsAllReasoning() {
        ParsedOutput p = parse(ThinkingStart.IN_THINK, "still thinking </thi");
        assertEquals("still thinking </thi", p.reasoning());
        assertEquals("", p.content());
    }

    @Test
    void aToolCallInsideTheThinkBlockIsReasoningText() {
        String inThink = "maybe <tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>";
        ParsedOutput p = parse(ThinkingStart.MAY_OPEN, "<think>" + inThink + "</think>ok");
        assertEquals(inThink, p.reasoning());
        assertEquals("ok", p.content());
        assertEquals(List.of(), p.toolCalls());
    }

    @Test
    void aClosingTagInsideAJsonStringDoesNotEndTheCall() {
        String call = "{\"name\": \"s\", \"arguments\": {\"tag\": \"</tool_call>\", \"q\": \"a\\\"b\"}}";
        String out = "<tool_call>\n" + call + "\n</tool_call>";
        for (int i = 0; i <= out.length(); i++) {
            ParsedOutput p = parse(ThinkingStart.CLOSED, out.substring(0, i), out.substring(i));
            assertEquals(List.of(new ToolCall("call_1", "s", "{\"tag\": \"</tool_call>\", \"q\": \"a\\\"b\"}")),
                    p.toolCalls(), "split at " + i);
            assertEquals("", p.content());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\": \"f\", \"arguments\": {\"x\": }}", "not json", "[1, 2]",
            "{\"arguments\": {}}", "{\"name\": 3, \"arguments\": {}}", "{\"name\": \"f\", \"arguments\": [1]}",
            "{\"name\": \"f\", \"arguments\": \"{oops\"}", "{\"name\": \"f\"} trailing"})
    void malformedCallsAreReportedWithTheirRawText(String body) {
        String raw = "\n" + body + "\n";
        ParsedOutput p = parse(ThinkingStart.CLOSED, "before <tool_call>" + raw + "</tool_call> after");
        assertEquals(List.of(), p.toolCalls());
        assertEquals(1, p.toolCallErrors().size());
        assertEquals(raw, p.toolCallErrors().getFirst().raw());
        assertTrue(!p.toolCallErrors().getFirst().error().isBlank());
        assertEquals("beforeafter", p.content());
    }

    @Test
    void errorsNameWhatIsWrong() {
        assertEquals("the call has no \"name\"",
                parse(ThinkingStart.CLOSED, "<tool_call>{\"arguments\": {}}</tool_call>").toolCallErrors().getFirst().error());
        assertTrue(parse(ThinkingStart.CLOSED, "<tool_call>{\"name\": \"f\", \"arguments\": {\"x\": }}</tool_call>")
                .toolCallErrors().getFirst().error().startsWith("invalid JSON: "));
    }

    @Test
    void argumentsWrittenAsAJsonStringAreTakenAsTheirText() {
        ParsedOutput p = parse(ThinkingStart.CLOSED, "<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"x\\\":1}\"}</tool_call>");
        assertEquals(List.of(new ToolCall("call_1", "f", "{\"x\":1}")), p.toolCalls());
    }

    @Test
    void aCallLeftOpenAtTheEndIsKeptWhenCompleteAndReportedOtherwise() {
        ParsedOutput complete = parse(ThinkingStart.CLOSED, "<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n");
        assertEquals(List.of(new ToolCall("call_1", "f", "{}")), complete.toolCalls());
        ParsedOutput cut = parse(ThinkingStart.CLOSED, "<tool_call>\n{\"name\": \"f\", \"argu");
        assertEquals(List.of(), cut.toolCalls());
        assertEquals("\n{\"name\": \"f\", \"argu", cut.toolCallErrors().getFirst().raw());
        assertTrue(cut.toolCallErrors().getFirst().error().startsWith("the output ended before </tool_call>"),
                cut.toolCallErrors().getFirst().error());
    }

    @Test
    void textThatOnlyLooksLikeTheStartOfATagIsContent() {
        assertEquals("a <tool and <thin", parse(ThinkingStart.CLOSED, "a <tool", " and <thin").content());
        assertEquals("<b>", parse(ThinkingStart.MAY_OPEN, "<", "b>").content());
    }

    @Test
    void defaultCallIdsAreOpenAiStyleAndDistinct() {
        OutputParser p = new OutputParser(ThinkingStart.CLOSED, null);
        p.append("<tool_call>{\"name\": \"f\"}</tool_call><tool_call>{\"name\": \"g\"}</tool_call>");
        p.finish();
        List<ToolCall> calls = p.result().toolCalls();
        assertEquals(2, calls.size());
        assertTrue(calls.get(0).id().matches("call_[A-Za-z0-9]{24}"), calls.get(0).id());
        assertTrue(!calls.get(0).id().equals(calls.get(1).id()));
    }

    @Test
    void thinkingStartFollowsWhatThePromptRendered() {
        assertEquals(ThinkingStart.MAY_OPEN, ThinkingStart.ofPrompt("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"));
        assertEquals(ThinkingStart.CLOSED, ThinkingStart.ofPrompt(
                "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"));
        assertEquals(ThinkingStart.IN_THINK, ThinkingStart.ofPrompt("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n"));
        // an earlier turn's think block says nothing about this one
        assertEquals(ThinkingStart.MAY_OPEN, ThinkingStart.ofPrompt(
                "<|im_start|>assistant\n<think>\nr\n</think>\n\nA<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n"));
        assertEquals(ThinkingStart.IN_THINK, ThinkingStart.ofPrompt("raw text <think>"));
    }
}
