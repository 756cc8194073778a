package io.qwen4j.server;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.qwen4j.core.chat.ChatMessage;
import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.GenerationResult;
import io.qwen4j.core.generate.Generator;
import io.qwen4j.core.model.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The official OpenAI Java SDK against the server, as users' apps drive it. */
class ChatCompletionsSdkTest {

    static QwenServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = QwenServer.start(TestModels.qwen3(), TestModels.options());
        client = OpenAIOkHttpClient.builder().baseUrl(server.url() + "/v1").apiKey("unused").build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    /** What core's generator answers, greedily, to one user message: the server must give the same. */
    static GenerationResult greedyReference(String user, int maxTokens) {
        Model m = TestModels.qwen3();
        String prompt = m.chatFormat().orElseThrow().render(List.of(ChatMessage.user(user)), true, Map.of());
        return Generator.generate(m.newSession(512), m.tokenizer(), m.tokenizer().encode(prompt),
                GenerateOptions.greedy(maxTokens, m.endOfGenerationIds()), null);
    }

    @Test
    void nonStreamingGreedyAnswerEqualsTheGenerator() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("qwen3-tiny").addUserMessage("Hello there").temperature(0.0).maxCompletionTokens(20).build());
        GenerationResult expected = greedyReference("Hello there", 20);
        assertFalse(expected.text().isEmpty());
        assertEquals(expected.output().content(), c.choices().get(0).message().content().orElseThrow());
        assertEquals("qwen3-tiny", c.model());
        assertEquals(20, c.usage().orElseThrow().completionTokens());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, c.choices().get(0).finishReason());
    }

    @Test
    void streamedGreedyAnswerEqualsTheGenerator() {
        StringBuilder text = new StringBuilder();
        int chunks = 0;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("qwen3-tiny").addUserMessage("Tell me a story")
                        .temperature(0.0).maxCompletionTokens(30).build())) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                for (var choice : chunk.choices()) {
                    choice.delta().content().ifPresent(text::append);
                }
                chunks++;
            }
        }
        assertEquals(greedyReference("Tell me a story", 30).output().content(), text.toString());
        assertTrue(chunks > 3, "streamed in pieces, got " + chunks + " chunks");
    }

    @Test
    void twoChoicesShareThePromptAndGreedyOnesAgree() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("qwen3-tiny").addUserMessage("Hello there").temperature(0.0).maxCompletionTokens(12).n(2).build());
        assertEquals(2, c.choices().size());
        String expected = greedyReference("Hello there", 12).output().content();
        assertEquals(expected, c.choices().get(0).message().content().orElseThrow());
        assertEquals(expected, c.choices().get(1).message().content().orElseThrow());
        assertEquals(0, c.choices().get(0).index());
        assertEquals(1, c.choices().get(1).index());
        var usage = c.usage().orElseThrow();
        assertEquals(24, usage.completionTokens(), "both choices count");
        assertEquals(usage.promptTokens() + 24, usage.totalTokens());
    }

    @Test
    void aFixedSeedRepeatsASampledAnswer() {
        var params = ChatCompletionCreateParams.builder().model("qwen3-tiny").addUserMessage("Pick a word")
                .temperature(1.0).seed(1234L).maxCompletionTokens(24).n(2).build();
        ChatCompletion a = client.chat().completions().create(params);
        ChatCompletion b = client.chat().completions().create(params);
        for (int i = 0; i < 2; i++) {
            assertEquals(a.choices().get(i).message().content(), b.choices().get(i).message().content());
        }
        assertFalse(a.choices().get(0).message().content().equals(a.choices().get(1).message().content()),
                "the two choices draw with different seeds");
    }

    @Test
    void logprobsListEveryTokenWithItsAlternatives() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("qwen3-tiny").addUserMessage("Hello there").temperature(0.0).maxCompletionTokens(8)
                .logprobs(true).topLogprobs(3).build());
        var content = c.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        assertEquals(c.usage().orElseThrow().completionTokens(), content.size());
        for (var item : content) {
            assertEquals(3, item.topLogprobs().size());
            assertTrue(item.logprob() <= 0);
            // greedy: the chosen token is the most likely one
            assertEquals(item.topLogprobs().get(0).token(), item.token());
            assertEquals(item.topLogprobs().get(0).logprob(), item.logprob(), 1e-9);
            assertTrue(item.topLogprobs().get(1).logprob() <= item.topLogprobs().get(0).logprob());
        }
    }

    @Test
    void streamedUsageComesLastWithNoChoices() {
        List<ChatCompletionChunk> chunks = new java.util.ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("qwen3-tiny").addUserMessage("Hi").temperature(0.0)
                        .maxCompletionTokens(10).streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions
                                .builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunks::add);
        }
        ChatCompletionChunk last = chunks.getLast();
        assertTrue(last.choices().isEmpty());
        assertEquals(10, last.usage().orElseThrow().completionTokens());
        assertEquals(ChatCompletionChunk.Choice.FinishReason.LENGTH,
                chunks.get(chunks.size() - 2).choices().get(0).finishReason().orElseThrow());
        assertEquals(com.openai.models.chat.completions.ChatCompletionChunk.Choice.Delta.Role.ASSISTANT,
                chunks.getFirst().choices().get(0).delta().role().orElseThrow());
    }

    @Test
    void jsonSchemaResponsesParseAndFollowTheSchema() throws Exception {
        String schema = "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"maxLength\": 12},"
                + " \"days\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 9}}, \"required\": [\"city\", \"days\"]}";
        var format = com.openai.models.ResponseFormatJsonSchema.builder().jsonSchema(
                com.openai.models.ResponseFormatJsonSchema.JsonSchema.builder().name("trip")
                        .schema(com.openai.models.ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                .putAllAdditionalProperties(jsonMap(schema)).build()).build()).build();
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("qwen3-tiny").addUserMessage("Plan a trip").responseFormat(format).temperature(0.0)
                .maxCompletionTokens(120).putAdditionalBodyProperty("chat_template_kwargs",
                        com.openai.core.JsonValue.from(Map.of("enable_thinking", false))).build());
        String content = c.choices().get(0).message().content().orElseThrow();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(content);
        assertTrue(json.get("city").isTextual(), content);
        assertTrue(json.get("days").asInt() >= 1 && json.get("days").asInt() <= 9, content);
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().get(0).finishReason());
    }

    @Test
    void aForcedToolCallComesBackAsToolCalls() throws Exception {
        var tool = com.openai.models.chat.completions.ChatCompletionFunctionTool.builder().function(
                com.openai.models.FunctionDefinition.builder().name("get_weather").description("Weather of a city")
                        .parameters(com.openai.models.FunctionParameters.builder().putAllAdditionalProperties(jsonMap(
                                "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"maxLength\": 10}},"
                                        + " \"required\": [\"city\"]}")).build()).build()).build();
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("qwen3-tiny").addUserMessage("Weather in Paris?").addTool(tool)
                .toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.REQUIRED)
                .temperature(0.0).maxCompletionTokens(60).build());
        var choice = c.choices().get(0);
        var calls = choice.message().toolCalls().orElseThrow();
        assertEquals(1, calls.size());
        var call = calls.get(0).asFunction();
        assertEquals("get_weather", call.function().name());
        assertTrue(call.id().startsWith("call_"));
        var args = new com.fasterxml.jackson.databind.ObjectMapper().readTree(call.function().arguments());
        assertTrue(args.get("city").isTextual(), call.function().arguments());
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
    }

    static Map<String, com.openai.core.JsonValue> jsonMap(String json) throws Exception {
        Map<String, Object> m = new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Map.class);
        Map<String, com.openai.core.JsonValue> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, com.openai.core.JsonValue.from(v)));
        return out;
    }
}
