package io.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad requests get 4xx answers in OpenAI's error shape that name the problem; the server goes on serving. */
class ErrorResponsesTest {

    static final String KEY = "sk-test-key";
    static final String[] AUTH = {"Authorization", "Bearer " + KEY};
    static QwenServer server;
    static String chat;

    @BeforeAll
    static void start() {
        server = QwenServer.start(TestModels.qwen3(), ServerOptions.defaults("qwen3-tiny", 64).withPort(0)
                .withApiKey(KEY).withMaxBodyBytes(4096).withMaxTokensCap(5));
        chat = server.url() + "/v1/chat/completions";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode error(Http.Response r, int status) {
        assertEquals(status, r.status(), r.body());
        JsonNode e = r.json().get("error");
        assertTrue(e.get("message").asText().length() > 10, r.body());
        assertTrue(e.has("type") && e.has("param") && e.has("code"), r.body());
        return e;
    }

    @Test
    void malformedJsonSaysWhere() {
        JsonNode e = error(Http.post(chat, "{\"messages\": [", AUTH), 400);
        assertEquals("invalid_request_error", e.get("type").asText());
        assertTrue(e.get("message").asText().contains("malformed JSON"), e.toString());
        assertTrue(e.get("message").asText().contains("line 1"), e.toString());
    }

    @Test
    void aFieldOfTheWrongTypeIsNamed() {
        JsonNode e = error(Http.post(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": \"hot\"}", AUTH), 400);
        assertEquals("temperature", e.get("param").asText());
        assertTrue(e.get("message").asText().contains("'temperature' must be a number"), e.toString());

        e = error(Http.post(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 2.5}", AUTH), 400);
        assertEquals("max_tokens", e.get("param").asText());

        e = error(Http.post(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": [\"a\", 3]}", AUTH), 400);
        assertEquals("stop[1]", e.get("param").asText());

        e = error(Http.post(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"n\": 99}", AUTH), 400);
        assertEquals("n", e.get("param").asText());
        assertTrue(e.get("message").asText().contains("between 1 and 4"), e.toString());
    }

    @Test
    void anUnknownRoleIsNamed() {
        JsonNode e = error(Http.post(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"wizard\", \"content\": \"x\"}]}", AUTH), 400);
        assertEquals("messages[1].role", e.get("param").asText());
        assertTrue(e.get("message").asText().contains("wizard"), e.toString());
    }

    @Test
    void missingMessagesAreNamed() {
        JsonNode e = error(Http.post(chat, "{\"model\": \"x\"}", AUTH), 400);
        assertEquals("messages", e.get("param").asText());
    }

    @Test
    void aPromptLongerThanTheContextGivesTheNumbers() {
        String longText = "word ".repeat(200);
        JsonNode e = error(Http.post(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"" + longText + "\"}]}", AUTH), 400);
        assertEquals("context_length_exceeded", e.get("code").asText());
        String m = e.get("message").asText();
        assertTrue(m.contains("maximum context length is 64 tokens"), m);
        assertTrue(m.matches(".*resulted in \\d{3} tokens.*"), m);

        e = error(Http.post(server.url() + "/v1/completions", "{\"prompt\": \"" + longText + "\"}", AUTH), 400);
        assertEquals("prompt", e.get("param").asText());
    }

    @Test
    void theApiKeyIsRequiredEverywhereButHealth() {
        String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
        JsonNode e = error(Http.post(chat, body), 401);
        assertEquals("invalid_api_key", e.get("code").asText());
        error(Http.post(chat, body, "Authorization", "Bearer wrong"), 401);
        error(Http.get(server.url() + "/v1/models"), 401);
        error(Http.get(server.url() + "/metrics"), 401);
        assertEquals(200, Http.get(server.url() + "/health").status());
        assertEquals(200, Http.get(server.url() + "/v1/models", AUTH).status());
        assertEquals(200, Http.post(chat, body, AUTH).status());
    }

    @Test
    void aBodyOverTheLimitGets413() {
        String big = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "x".repeat(5000) + "\"}]}";
        JsonNode e = error(Http.post(chat, big, AUTH), 413);
        assertTrue(e.get("message").asText().contains("4096"), e.toString());
    }

    @Test
    void maxTokensIsCappedByTheServer() {
        Http.Response r = Http.post(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 500,"
                + " \"temperature\": 0, \"stop\": \"zzzzzz\"}", AUTH);
        assertEquals(200, r.status(), r.body());
        assertTrue(r.json().get("usage").get("completion_tokens").asInt() <= 5, r.body());
    }

    @Test
    void unknownApiPathsAre404InOpenAiShape() {
        JsonNode e = error(Http.get(server.url() + "/v1/nothing", AUTH), 404);
        assertTrue(e.get("message").asText().contains("/v1/nothing"));
    }

    @Test
    void completionsTakeTokenIdsAndStrings() {
        Http.Response r = Http.post(server.url() + "/v1/completions",
                "{\"prompt\": [\"Once upon\", [1, 2, 3]], \"max_tokens\": 3, \"temperature\": 0}", AUTH);
        assertEquals(200, r.status(), r.body());
        JsonNode choices = r.json().get("choices");
        assertEquals(2, choices.size());
        assertEquals("text_completion", r.json().get("object").asText());
        assertEquals(1, choices.get(1).get("index").asInt());
        JsonNode bad = error(Http.post(server.url() + "/v1/completions", "{\"prompt\": [[1, -4]]}", AUTH), 400);
        assertEquals("prompt[0][1]", bad.get("param").asText());
    }
}
