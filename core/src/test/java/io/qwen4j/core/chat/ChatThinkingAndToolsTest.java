package io.qwen4j.core.chat;

import io.qwen4j.Qwen;
import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.generate.sampling.SamplerConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chats on the tiny Qwen3 model with thinking switched, budgeted, and with tools. */
class ChatThinkingAndToolsTest {

    private static final Path MODEL = Path.of(System.getProperty("qwen4j.testdata")).resolve("models/qwen3-tiny/model.gguf");
    private static final String TOOLS = "[{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", "
            + "\"description\": \"Weather now.\", \"parameters\": {\"type\": \"object\", \"properties\": "
            + "{\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}]";

    @Test
    void budgetZeroGivesAnEmptyThinkBlockThatIsNotContent() {
        try (Qwen qwen = Qwen.load(MODEL)) {
            ChatSession chat = qwen.chat(ChatOptions.builder().sampler(SamplerConfig.greedy()).maxTokens(8)
                    .thinkingBudget(0).build());
            List<OutputEvent> events = new ArrayList<>();
            ChatReply reply = chat.send(List.of(ChatMessage.user("Hi")), events::add, () -> false);
            assertTrue(reply.text().startsWith("<think>\n\n</think>\n\n"), reply.text());
            assertEquals("", reply.reasoning());
            assertEquals(reply.text().substring("<think>\n\n</think>\n\n".length()), reply.content());
            assertEquals(3, reply.usage().reasoningTokens(), "<think>, \"\\n\\n\", </think>");
            assertEquals(8, reply.usage().completionTokens());
            assertTrue(events.stream().noneMatch(e -> e instanceof OutputEvent.Reasoning), "nothing to show as reasoning");
            assertEquals(ChatMessage.assistant(reply.content(), "", List.of()), chat.messages().getLast());
        }
    }

    @Test
    void noThinkPromptsEndWithTheEmptyBlockAndNothingIsReasoning() {
        try (Qwen qwen = Qwen.load(MODEL)) {
            ChatSession chat = qwen.chat(ChatOptions.builder().sampler(SamplerConfig.greedy()).maxTokens(6)
                    .thinking(false).build());
            ChatReply reply = chat.send("Hi", null);
            String prompt = qwen.model().chatFormat().orElseThrow().render(List.of(ChatMessage.user("Hi")), true,
                    Map.of("enable_thinking", false));
            assertTrue(prompt.endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
            assertEquals(qwen.model().tokenizer().encode(prompt).length, reply.usage().promptTokens());
            assertNull(reply.reasoning());
            assertEquals(reply.text(), reply.content());
            assertEquals(0, reply.usage().reasoningTokens());
        }
    }

    @Test
    void toolsAreInEveryPromptAndToolResultsContinueTheConversation() {
        try (Qwen qwen = Qwen.load(MODEL)) {
            List<Object> tools = Tools.parse(TOOLS);
            ChatSession chat = qwen.chat(ChatOptions.builder().sampler(SamplerConfig.greedy()).maxTokens(5)
                    .tools(tools).build());
            ChatFormat format = qwen.model().chatFormat().orElseThrow();
            ChatReply first = chat.send("Weather in Paris?", null);
            String prompt1 = format.render(List.of(ChatMessage.user("Weather in Paris?")), tools, true, Map.of());
            assertTrue(prompt1.contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\""), prompt1);
            assertEquals(qwen.model().tokenizer().encode(prompt1).length, first.usage().promptTokens());

            ChatReply second = chat.send(List.of(ChatMessage.toolResult("call_1", "{\"celsius\": 21}")), null, () -> false);
            List<ChatMessage> history = chat.messages();
            assertEquals("tool", history.get(2).role());
            String prompt2 = format.render(history.subList(0, 3), tools, true, Map.of());
            assertTrue(prompt2.endsWith("<|im_start|>user\n<tool_response>\n{\"celsius\": 21}\n</tool_response><|im_end|>\n"
                    + "<|im_start|>assistant\n"), prompt2);
            assertEquals(qwen.model().tokenizer().encode(prompt2).length, second.usage().promptTokens());
            assertTrue(second.cachedTokens() >= first.usage().promptTokens(), "the first turn is reused from the cache");
            assertTrue(second.finishReason() == FinishReason.LENGTH || second.finishReason() == FinishReason.STOP);
        }
    }
}
