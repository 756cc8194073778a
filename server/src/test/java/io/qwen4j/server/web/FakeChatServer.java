package io.qwen4j.server.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.openqa.selenium.json.Json;

/**
 * A scripted OpenAI-compatible endpoint on 127.0.0.1 for the page test: it serves the page from
 * the classpath like the real server, answers /v1/models, and plays a queued reply for each
 * chat request (SSE chunks with delays, or an error), recording what the page sent.
 */
final class FakeChatServer implements AutoCloseable {
  static final String MODEL = "fake-qwen";
  private static final String WEB_ROOT = "/io/qwen4j/server/web";
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8");

  /** One SSE chunk, sent after a pause. Either text may be null. */
  record Step(long delayMillis, String reasoning, String content) {
    static Step think(long delayMillis, String text) {
      return new Step(delayMillis, text, null);
    }

    static Step say(long delayMillis, String text) {
      return new Step(delayMillis, null, text);
    }
  }

  sealed interface Reply permits Stream, Failure {}

  record Stream(List<Step> steps) implements Reply {}

  record Failure(int status, String json) implements Reply {}

  /** What the page sent: the parsed JSON body and the Authorization header (null when absent). */
  record Request(Map<String, Object> body, String authorization) {}

  private final HttpServer http;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final AtomicInteger chunksSent = new AtomicInteger();
  private volatile CompletableFuture<Integer> disconnected = new CompletableFuture<>();
  private volatile String requiredKey;

  private FakeChatServer() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(executor);
    http.createContext("/", this::serveStatic);
    http.createContext("/v1/models", this::serveModels);
    http.createContext("/v1/chat/completions", this::serveChat);
    http.start();
  }

  static FakeChatServer start() throws IOException {
    return new FakeChatServer();
  }

  String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/";
  }

  /** Forgets queued replies, recorded requests and the key requirement between tests. */
  void reset() {
    replies.clear();
    requests.clear();
    chunksSent.set(0);
    disconnected = new CompletableFuture<>();
    requiredKey = null;
  }

  void requireKey(String key) {
    requiredKey = key;
  }

  void enqueue(Reply reply) {
    replies.add(reply);
  }

  BlockingQueue<Request> requests() {
    return requests;
  }

  /** SSE chunks written so far across all replies. */
  int chunksSent() {
    return chunksSent.get();
  }

  /** Completes with the number of chunks written when a client went away mid-stream. */
  CompletableFuture<Integer> disconnected() {
    return disconnected;
  }

  private void serveStatic(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/")) path = "/index.html";
      String extension = path.substring(path.lastIndexOf('.') + 1);
      InputStream resource = path.contains("..") ? null : getClass().getResourceAsStream(WEB_ROOT + path);
      if (resource == null || !TYPES.containsKey(extension)) {
        send(exchange, 404, "text/plain", "not found: " + path);
        return;
      }
      try (resource) {
        send(exchange, 200, TYPES.get(extension), new String(resource.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }

  private boolean authorized(HttpExchange exchange) throws IOException {
    String key = requiredKey;
    if (key == null || ("Bearer " + key).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      return true;
    }
    send(exchange, 401, "application/json",
        "{\"error\":{\"message\":\"Invalid API key\",\"type\":\"invalid_request_error\"}}");
    return false;
  }

  private void serveModels(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!authorized(exchange)) return;
      send(exchange, 200, "application/json",
          "{\"object\":\"list\",\"data\":[{\"id\":\"" + MODEL + "\",\"object\":\"model\",\"owned_by\":\"qwen4j\"}]}");
    }
  }

  private void serveChat(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!authorized(exchange)) return;
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(new Request(new Json().toType(body, Json.MAP_TYPE),
          exchange.getRequestHeaders().getFirst("Authorization")));
      Reply reply = replies.poll();
      if (reply == null) {
        send(exchange, 500, "application/json", "{\"error\":{\"message\":\"the test queued no reply\"}}");
        return;
      }
      switch (reply) {
        case Failure(int status, String json) -> send(exchange, status, "application/json", json);
        case Stream(List<Step> steps) -> stream(exchange, steps);
      }
    }
  }

  private void stream(HttpExchange exchange, List<Step> steps) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    int written = 0;
    try {
      write(out, chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
      for (Step step : steps) {
        Thread.sleep(step.delayMillis());
        StringBuilder delta = new StringBuilder("{");
        if (step.reasoning() != null) delta.append("\"reasoning_content\":").append(quote(step.reasoning()));
        if (step.content() != null) {
          if (delta.length() > 1) delta.append(',');
          delta.append("\"content\":").append(quote(step.content()));
        }
        write(out, chunk(delta.append('}').toString(), null));
        written++;
        chunksSent.incrementAndGet();
      }
      write(out, chunk("{}", "stop"));
      write(out, "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"model\":\"" + MODEL
          + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":" + steps.size()
          + ",\"total_tokens\":" + (7 + steps.size()) + "}}\n\n");
      write(out, "data: [DONE]\n\n");
    } catch (IOException e) {
      // The page aborted the fetch: this is what the real server sees on a disconnect.
      disconnected.complete(written);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String chunk(String delta, String finishReason) {
    return "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"model\":\"" + MODEL
        + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
        + (finishReason == null ? "null" : quote(finishReason)) + "}]}\n\n";
  }

  private static void write(OutputStream out, String event) throws IOException {
    out.write(event.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>') b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }
}
