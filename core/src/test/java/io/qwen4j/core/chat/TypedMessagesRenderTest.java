package io.qwen4j.core.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.chat.template.ChatTemplate;
import io.qwen4j.core.generate.output.ToolCall;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every golden chat scenario rebuilt from typed {@link ChatMessage}s (assistant tool calls, tool results, reasoning)
 * renders through {@link ChatFormat} exactly as Hugging Face rendered the JSON messages.
 */
class TypedMessagesRenderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CHAT = Path.of(System.getProperty("qwen4j.testdata")).resolve("chat");
    private static final ChatTemplate TOJSON = ChatTemplate.compile("{{ v | tojson }}");

    /**
     * QwQ applies tojson to string arguments, so Hugging Face writes them quoted ("{\"location\": ...}"). Typed calls
     * are passed as objects to such templates on purpose: the model sees the form it was trained on.
     */
    private static final String QUOTED_STRING_ARGUMENTS = "qwq-32b/tool_flow_args_string_gen";

    static Stream<Arguments> scenarios() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String family : List.of("qwen3", "qwen2.5-instruct", "qwq-32b", "qwen1.5-chat")) {
            for (String line : Files.readAllLines(CHAT.resolve(family + ".jsonl"), StandardCharsets.UTF_8)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> scenario = JSON.readValue(line, LinkedHashMap.class);
                if (!QUOTED_STRING_ARGUMENTS.equals(family + "/" + scenario.get("name"))) {
                    out.add(Arguments.of(family, scenario.get("name"), scenario));
                }
            }
        }
        return out.stream();
    }

    static ChatFormat format(String family) throws IOException {
        return new ChatFormat(Files.readString(CHAT.resolve("templates/" + family + ".jinja"), StandardCharsets.UTF_8),
                Map.of("eos_token", "<|im_end|>", "pad_token", "<|endoftext|>"));
    }

    /** A JSON message as a typed one; object arguments become their Python json.dumps text. */
    @SuppressWarnings("unchecked")
    static ChatMessage typed(Map<String, Object> m) {
        List<ToolCall> calls = new ArrayList<>();
        for (Object c : (List<Object>) m.getOrDefault("tool_calls", List.of())) {
            Map<String, Object> call = (Map<String, Object>) c;
            Map<String, Object> function = (Map<String, Object>) call.getOrDefault("function", call);
            Object args = function.get("arguments");
            String text = args instanceof String s ? s : TOJSON.render(Map.of("v", args));
            calls.add(new ToolCall("call_" + calls.size(), (String) function.get("name"), text));
        }
        String role = (String) m.get("role");
        return new ChatMessage(role, (String) m.get("content"), (String) m.get("reasoning_content"), calls,
                role.equals("tool") ? "call_0" : null);
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("scenarios")
    void typedMessagesRenderAsTheFixture(String family, String name, Map<String, Object> scenario) throws IOException {
        List<ChatMessage> messages = ((List<Map<String, Object>>) scenario.get("messages")).stream()
                .map(TypedMessagesRenderTest::typed).toList();
        Map<String, Object> kwargs = new HashMap<>((Map<String, Object>) scenario.get("kwargs"));
        boolean addGenerationPrompt = (Boolean) kwargs.remove("add_generation_prompt");
        List<?> tools = scenario.get("tools") == null ? null : Tools.validate(scenario.get("tools"));
        assertEquals(scenario.get("rendered"), format(family).render(messages, tools, addGenerationPrompt, kwargs));
    }

    @Test
    void aTemplateThatQuotesStringArgumentsGetsTypedCallsAsObjects() throws IOException {
        List<ChatMessage> messages = List.of(ChatMessage.user("weather?"), ChatMessage.assistant("", null,
                List.of(new ToolCall("call_1", "get", "{\"location\":\"SF\"}"))), ChatMessage.toolResult("call_1", "26"));
        String qwq = format("qwq-32b").render(messages, null, true, Map.of());
        assertTrue(qwq.contains("<tool_call>\n{\"name\": \"get\", \"arguments\": {\"location\": \"SF\"}}\n</tool_call>"), qwq);
        // Qwen3 writes the text as it is: the model's own spelling comes back unchanged
        String qwen3 = format("qwen3").render(messages, null, true, Map.of());
        assertTrue(qwen3.contains("<tool_call>\n{\"name\": \"get\", \"arguments\": {\"location\":\"SF\"}}\n</tool_call>"), qwen3);
        assertTrue(qwen3.endsWith("<|im_start|>user\n<tool_response>\n26\n</tool_response><|im_end|>\n<|im_start|>assistant\n"), qwen3);
    }

    @Test
    void messageShapesAreChecked() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ChatMessage("user", "x", null,
                List.of(new ToolCall("c", "f", "{}")), null));
        assertEquals("only an assistant message has tool calls, not a user message", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ChatMessage("user", "x", null, List.of(), "c"));
        assertEquals("only a tool message answers a tool call id, not a user message", e.getMessage());
        Map<String, Object> value = ChatMessage.toolResult("call_7", "42").toTemplateValue();
        assertEquals(Map.of("role", "tool", "content", "42", "tool_call_id", "call_7"), value);
        assertFalse(ChatMessage.user("hi").toTemplateValue().containsKey("tool_calls"));
    }

    @Test
    void toolsAreValidatedWithThePlaceOfTheProblem() {
        assertEquals("tools[1].function.name must be a non-empty string", assertThrows(IllegalArgumentException.class,
                () -> Tools.parse("[{\"type\": \"function\", \"function\": {\"name\": \"a\"}}, {\"type\": \"function\", \"function\": {}}]"))
                .getMessage());
        assertEquals("tools[0].type must be \"function\"", assertThrows(IllegalArgumentException.class,
                () -> Tools.parse("[{\"type\": \"web\"}]")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tools.parse("[{")).getMessage().startsWith("tools: invalid JSON: "));
        List<Object> tools = Tools.parse("[{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {\"type\": \"object\", \"properties\": {\"r\": {\"minimum\": 1.0}}}}}]");
        assertEquals(1, tools.size());
    }
}
