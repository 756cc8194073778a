package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServeCommandTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void servesUntilStoppedAndPrintsWhereAndWhat() throws Exception {
        ServeCommand command = new ServeCommand();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int[] exit = {-1};
        Thread t = Thread.ofPlatform().start(() -> exit[0] = cli.execute("--model",
                CliRunner.model("qwen3-tiny/model.gguf"), "--port", "0", "--ctx-size", "256", "--parallel", "2",
                "--api-key", "k"));
        while (command.url() == null || !out.toString().contains("listening")) {
            Thread.sleep(20);
        }
        String banner = out.toString();
        assertTrue(banner.contains("listening on " + command.url()), banner);
        assertTrue(command.url().startsWith("http://127.0.0.1:"), "loopback by default: " + command.url());
        assertTrue(banner.contains("model:   qwen3-tiny"), banner);
        assertTrue(banner.contains("256 tokens per slot x 2 slots"), banner);
        assertTrue(banner.matches("(?s).*memory: .* weights \\(mapped\\) \\+ .* KV cache = .*"), banner);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(command.url() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(command.url() + "/v1/models"))
                    .header("Authorization", "Bearer k").build(), HttpResponse.BodyHandlers.ofString());
            JsonNode list = Json.MAPPER.readTree(models.body());
            assertEquals("qwen3-tiny", list.get("data").get(0).get("id").asText());
        }
        command.stop();
        t.join();
        assertEquals(0, exit[0]);
        assertTrue(err.toString().contains("drained"), err.toString());
    }

    @Test
    void badFlagsAreReportedInOneLine() {
        CliRunner r = CliRunner.run("serve", "--model", CliRunner.model("qwen3-tiny/model.gguf"), "--parallel", "0");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("parallel must be at least 1"), r.err());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void benchServeMeasuresEachConcurrency() throws Exception {
        CliRunner r = CliRunner.run("bench-serve", "--model", CliRunner.model("qwen3-tiny/model.gguf"),
                "--concurrency", "1,2", "-n", "8", "--ctx-size", "256", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode o = Json.MAPPER.readTree(r.out());
        JsonNode levels = o.get("levels");
        assertEquals(2, levels.size());
        assertEquals(1, levels.get(0).get("concurrency").asInt());
        assertEquals(8, levels.get(0).get("tokens").asInt());
        assertEquals(16, levels.get(1).get("tokens").asInt());
        assertTrue(levels.get(1).get("tokens_per_second").asDouble() > 0);
    }
}
