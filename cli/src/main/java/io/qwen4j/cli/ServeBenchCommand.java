package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwen4j.core.model.Model;
import io.qwen4j.server.QwenServer;
import io.qwen4j.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code qwen4j bench-serve}: starts the server in this process on a free loopback port and measures the aggregate
 * generation speed with 1, 4, 8... concurrent streaming clients (continuous batching at work).
 */
@Command(name = "bench-serve", mixinStandardHelpOptions = true,
        description = "Measure the server's aggregate generated tokens/s for several numbers of concurrent streaming clients.")
final class ServeBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file or Hugging Face folder")
    Path model;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,4,8",
            description = "numbers of concurrent streams to measure (default ${DEFAULT-VALUE})")
    List<Integer> concurrency;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "64", description = "tokens each stream generates (default ${DEFAULT-VALUE})")
    int nGen;

    @Option(names = {"-p", "--prompt"}, defaultValue = "Write a long story about a lighthouse keeper.",
            description = "the user message every client sends")
    String prompt;

    @Option(names = "--json", description = "print one JSON object with the results")
    boolean json;

    @Mixin
    RuntimeOptions runtime;

    /** One concurrency level's outcome. */
    record Level(int concurrency, int tokens, double seconds, double tokensPerSecond, double meanTtftMillis) {
    }

    @Override
    public Integer call() throws Exception {
        runtime.apply();
        if (concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1)) {
            throw new UserInputException("--concurrency takes positive numbers, e.g. 1,4,8");
        }
        if (nGen < 1) {
            throw new UserInputException("-n must be at least 1, got " + nGen);
        }
        int slots = concurrency.stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<Level> levels = new ArrayList<>();
        try (Model m = ModelLoading.load(model, runtime)) {
            int context = runtime.contextLength(m);
            ServerOptions options = ServerOptions.defaults(ServeCommand.modelId(model), context).withPort(0)
                    .withParallel(slots).withQueueCapacity(slots);
            QwenServer server = QwenServer.start(m, options);
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                 ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                stream(http, server.url(), Math.min(8, nGen)); // warm-up: JIT and caches
                for (int c : concurrency) {
                    levels.add(measure(http, clients, server.url(), c));
                }
            } finally {
                server.close();
            }
        }
        print(levels);
        return 0;
    }

    private Level measure(HttpClient http, ExecutorService clients, String url, int c) throws Exception {
        long t0 = System.nanoTime();
        List<Future<long[]>> runs = new ArrayList<>();
        for (int i = 0; i < c; i++) {
            runs.add(clients.submit(() -> stream(http, url, nGen)));
        }
        int tokens = 0;
        double ttft = 0;
        for (Future<long[]> f : runs) {
            long[] r = f.get();
            tokens += (int) r[0];
            ttft += (r[1] - t0) / 1e6;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Level(c, tokens, seconds, tokens / seconds, ttft / c);
    }

    /** One streaming chat request; returns {completion tokens, nanoTime of the first content chunk}. */
    private long[] stream(HttpClient http, String url, int maxTokens) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("messages", List.of(Map.of("role", "user", "content", prompt)));
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0.8);
        body.put("ignore_eos", true); // every stream generates exactly -n tokens
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build();
        HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the server answered " + response.statusCode() + ": "
                    + new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        long first = 0;
        long tokens = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                    continue;
                }
                JsonNode chunk = Json.MAPPER.readTree(line.substring(6));
                if (first == 0 && chunk.path("choices").path(0).path("delta").has("content")
                        && !chunk.path("choices").path(0).path("delta").path("content").asText().isEmpty()) {
                    first = System.nanoTime();
                }
                if (chunk.hasNonNull("usage")) {
                    tokens = chunk.get("usage").get("completion_tokens").asLong();
                }
            }
        }
        return new long[] {tokens, first == 0 ? System.nanoTime() : first};
    }

    private void print(List<Level> levels) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Level l : levels) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("concurrency", l.concurrency());
                row.put("tokens", l.tokens());
                row.put("seconds", l.seconds());
                row.put("tokens_per_second", l.tokensPerSecond());
                row.put("mean_ttft_ms", l.meanTtftMillis());
                rows.add(row);
            }
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", model.toString());
            o.put("n_gen", nGen);
            o.put("levels", rows);
            out.println(Json.write(o));
        } else {
            out.printf("%-12s %8s %9s %12s %14s%n", "concurrency", "tokens", "seconds", "tokens/s", "mean TTFT ms");
            for (Level l : levels) {
                out.printf(java.util.Locale.ROOT, "%-12d %8d %9.2f %12.1f %14.1f%n", l.concurrency(), l.tokens(),
                        l.seconds(), l.tokensPerSecond(), l.meanTtftMillis());
            }
        }
        out.flush();
    }
}
