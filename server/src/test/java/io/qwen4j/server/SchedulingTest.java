package io.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwen4j.core.chat.ChatMessage;
import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.Generator;
import io.qwen4j.core.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Continuous batching under load, the queue, cancellation and the prefix cache, seen from outside. */
class SchedulingTest {

    /** A context long enough that a stream is still generating when the test acts on it (seconds on a tiny model). */
    static final int LONG = 4096;

    static String chatBody(String user, int maxTokens, boolean stream, String extra) {
        return "{\"messages\": [{\"role\": \"user\", \"content\": " + Http.JSON.valueToTree(user) + "}], \"max_tokens\": "
                + maxTokens + ", \"temperature\": 0, \"stream\": " + stream + extra + "}";
    }

    /** The text of a streamed chat answer (all content deltas), read to [DONE]. */
    static String readStream(InputStream body) throws Exception {
        StringBuilder text = new StringBuilder();
        boolean done = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("data: [DONE]")) {
                    done = true;
                } else if (line.startsWith("data: ")) {
                    JsonNode delta = Http.JSON.readTree(line.substring(6)).path("choices").path(0).path("delta");
                    if (delta.has("content")) {
                        text.append(delta.get("content").asText());
                    }
                }
            }
        }
        assertTrue(done, "the stream ends with [DONE]");
        return text.toString();
    }

    static HttpResponse<InputStream> open(String url, String body) throws Exception {
        return Http.CLIENT.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    static String reference(String user, int maxTokens, int context) {
        Model m = TestModels.qwen3();
        String prompt = m.chatFormat().orElseThrow().render(List.of(ChatMessage.user(user)), true, Map.of());
        return Generator.generate(m.newSession(context), m.tokenizer(), m.tokenizer().encode(prompt),
                GenerateOptions.greedy(maxTokens, m.endOfGenerationIds()), null).output().content();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sixteenConcurrentStreamsAllCompleteWithTheirOwnAnswers() throws Exception {
        try (QwenServer server = QwenServer.start(TestModels.qwen3(), TestModels.options().withParallel(4).withQueueCapacity(16));
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<String> prompts = new ArrayList<>();
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String user = "Question number " + i + ": what comes next?";
                prompts.add(user);
                answers.add(clients.submit(() -> readStream(open(server.url(), chatBody(user, 24, true, "")).body())));
            }
            java.util.Set<String> distinct = new java.util.HashSet<>();
            for (int i = 0; i < 16; i++) {
                String answer = answers.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(reference(prompts.get(i), 24, 512), answer, "stream " + i);
                distinct.add(answer);
            }
            assertTrue(distinct.size() > 4, "the prompts lead to different answers: " + distinct);
            String metrics = server.metrics().scrape();
            assertEquals(16, Http.metric(metrics, "qwen4j_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"}"));
            assertEquals(0, Http.metric(metrics, "qwen4j_active_sequences"));
            double steps = Http.metric(metrics, "qwen4j_decode_steps_total");
            double tokens = Http.metric(metrics, "qwen4j_generated_tokens_total");
            assertTrue(tokens / steps > 1.5, "sequences shared decoding steps: " + tokens + " tokens in " + steps + " steps");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        try (QwenServer server = QwenServer.start(TestModels.qwen3(), ServerOptions.defaults("qwen3-tiny", LONG)
                .withPort(0).withParallel(1).withQueueCapacity(1))) {
            String longRun = chatBody("Go on forever", LONG - 100, true, ", \"ignore_eos\": true");
            java.net.Socket running = openRaw(server.url(), longRun);
            awaitMetric(server, "qwen4j_active_sequences", 1);
            java.net.Socket waiting = openRaw(server.url(), longRun);
            awaitMetric(server, "qwen4j_queue_depth", 1);
            Http.Response refused = Http.post(server.url() + "/v1/chat/completions", chatBody("hi", 4, false, ""));
            assertEquals(429, refused.status(), refused.body());
            assertEquals("1", refused.raw().headers().firstValue("Retry-After").orElseThrow());
            assertEquals("rate_limit_exceeded", refused.json().get("error").get("type").asText());
            running.close();
            waiting.close();
            awaitMetric(server, "qwen4j_active_sequences", 0);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aClientThatDisconnectsFreesItsSlot() throws Exception {
        try (QwenServer server = QwenServer.start(TestModels.qwen3(), ServerOptions.defaults("qwen3-tiny", LONG)
                .withPort(0).withParallel(2))) {
            java.net.Socket socket = openRaw(server.url(), chatBody("Talk to me", LONG - 100, true, ", \"ignore_eos\": true"));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int events = 0;
            while (events < 4) {
                if (in.readLine().startsWith("data: ")) {
                    events++;
                }
            }
            assertEquals(1, Http.metric(server.metrics().scrape(), "qwen4j_active_sequences"));
            socket.close();
            awaitMetric(server, "qwen4j_active_sequences", 0);
            awaitMetric(server, "qwen4j_sequences_cancelled_total", 1);
            String metrics = server.metrics().scrape();
            assertTrue(Http.metric(metrics, "qwen4j_generated_tokens_total") < LONG - 100, "stopped early");
            // the freed slot serves the next request
            Http.Response next = Http.post(server.url() + "/v1/chat/completions", chatBody("hi", 4, false, ""));
            assertEquals(200, next.status(), next.body());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFollowUpTurnReusesTheCachedPrefix() throws Exception {
        try (QwenServer server = QwenServer.start(TestModels.qwen3(), TestModels.options().withParallel(2))) {
            Http.Response first = Http.post(server.url() + "/v1/chat/completions", chatBody("Hello there", 8, false, ""));
            assertEquals(0, first.json().get("usage").get("prompt_tokens_details").get("cached_tokens").asInt());
            String answer = first.json().get("choices").get(0).get("message").get("content").asText();
            List<Map<String, String>> turns = List.of(Map.of("role", "user", "content", "Hello there"),
                    Map.of("role", "assistant", "content", answer), Map.of("role", "user", "content", "And then?"));
            String body = "{\"messages\": " + Http.JSON.writeValueAsString(turns) + ", \"max_tokens\": 8, \"temperature\": 0}";
            Http.Response second = Http.post(server.url() + "/v1/chat/completions", body);
            int cached = second.json().get("usage").get("prompt_tokens_details").get("cached_tokens").asInt();
            int firstPrompt = first.json().get("usage").get("prompt_tokens").asInt();
            assertTrue(cached >= firstPrompt - 4 && cached < second.json().get("usage").get("prompt_tokens").asInt(),
                    "cached " + cached + " of the first turn's " + firstPrompt + " prompt tokens");
            String metrics = server.metrics().scrape();
            assertEquals(1, Http.metric(metrics, "qwen4j_prefix_cache_hits_total"));
            assertEquals(cached, Http.metric(metrics, "qwen4j_prefix_cache_tokens_total"));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shutdownEndsRunningStreamsCleanlyAndRefusesNewWork() throws Exception {
        QwenServer server = QwenServer.start(TestModels.qwen3(), TestModels.options());
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            HttpResponse<InputStream> r = open(server.url(), chatBody("Talk to me", 480, true, ", \"ignore_eos\": true"));
            Future<String> text = clients.submit(() -> readStream(r.body()));
            awaitMetric(server, "qwen4j_active_sequences", 1);
            assertTrue(!server.shutdown(Duration.ofMillis(100)), "the stream outlived the grace period");
            text.get(20, TimeUnit.SECONDS); // ended with a finish chunk and [DONE]
        } finally {
            server.close();
        }
    }

    /**
     * Sends a request on a raw socket, which the test can close for sure when it wants the client gone (java.net.http
     * may keep draining a response whose body stream was closed, so the server would never see the disconnect).
     */
    static java.net.Socket openRaw(String url, String json) throws IOException {
        java.net.URI uri = java.net.URI.create(url);
        java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort());
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + uri.getHost()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
        socket.getOutputStream().flush();
        return socket;
    }

    static void awaitMetric(QwenServer server, String sample, double value) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (Http.metric(server.metrics().scrape(), sample) != value) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(sample + " never reached " + value + ":\n" + server.metrics().scrape());
            }
            Thread.sleep(5);
        }
    }
}
