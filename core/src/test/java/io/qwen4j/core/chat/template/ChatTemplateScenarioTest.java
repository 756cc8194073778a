package io.qwen4j.core.chat.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every golden scenario of testdata/chat renders byte for byte as Hugging Face rendered it. */
class ChatTemplateScenarioTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CHAT = Path.of(System.getProperty("qwen4j.testdata")).resolve("chat");

    static Stream<Arguments> scenarios() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String family : List.of("qwen3", "qwen2.5-instruct", "qwq-32b", "qwen1.5-chat")) {
            for (String line : Files.readAllLines(CHAT.resolve(family + ".jsonl"), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    Map<String, Object> scenario = parse(line);
                    out.add(Arguments.of(family, scenario.get("name"), scenario));
                }
            }
        }
        return out.stream();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String json) throws IOException {
        return JSON.readValue(json, LinkedHashMap.class);
    }

    static String template(String family) throws IOException {
        return Files.readString(CHAT.resolve("templates").resolve(family + ".jinja"), StandardCharsets.UTF_8);
    }

    /** The variables transformers passes: messages, tools, documents, special tokens, then kwargs. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> variables(Map<String, Object> scenario) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", scenario.get("messages"));
        vars.put("tools", scenario.get("tools"));
        vars.put("documents", null);
        vars.put("eos_token", "<|im_end|>");
        vars.put("pad_token", "<|endoftext|>");
        vars.putAll((Map<String, Object>) scenario.get("kwargs"));
        return vars;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("scenarios")
    void rendersLikeHuggingFace(String family, String name, Map<String, Object> scenario) throws IOException {
        ChatTemplate template = ChatTemplate.compile(template(family));
        assertEquals(scenario.get("rendered"), template.render(variables(scenario)));
    }

    @Test
    void scenarioFilesHoldTheDocumentedCounts() throws IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        scenarios().forEach(a -> counts.merge((String) a.get()[0], 1L, Long::sum));
        assertEquals(Map.of("qwen3", 21L, "qwen2.5-instruct", 9L, "qwq-32b", 7L, "qwen1.5-chat", 4L), counts);
    }

    static Stream<Path> embeddedTemplates() {
        Path data = Path.of(System.getProperty("qwen4j.testdata"));
        return Stream.of(data.resolve("tokenizer/qwen3/tokenizer_config.json"),
                data.resolve("models/qwen3-tiny/hf/tokenizer_config.json"));
    }

    @ParameterizedTest
    @MethodSource("embeddedTemplates")
    void tokenizerConfigTemplatesRenderTheQwen3Scenarios(Path config) throws IOException {
        String source = JSON.readTree(config.toFile()).get("chat_template").asText();
        assertEquals(template("qwen3"), source);
        ChatTemplate template = ChatTemplate.compile(source);
        List<Map<String, Object>> qwen3 = scenarios().filter(a -> a.get()[0].equals("qwen3"))
                .map(a -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> s = (Map<String, Object>) a.get()[2];
                    return s;
                }).toList();
        assertTrue(qwen3.size() == 21);
        for (Map<String, Object> scenario : qwen3) {
            assertEquals(scenario.get("rendered"), template.render(variables(scenario)), (String) scenario.get("name"));
        }
    }
}
