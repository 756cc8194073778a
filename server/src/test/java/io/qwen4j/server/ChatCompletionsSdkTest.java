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
}
