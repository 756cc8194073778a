package io.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.qwen4j.core.chat.ChatFormat;
import io.qwen4j.core.model.Model;
import io.qwen4j.server.api.ApiException;
import io.qwen4j.server.api.ChatCompletions;
import io.qwen4j.server.api.Completions;
import io.qwen4j.server.api.Json;
import io.qwen4j.server.api.ServerContext;
import io.qwen4j.server.engine.Scheduler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The OpenAI-compatible HTTP server: {@code POST /v1/chat/completions}, {@code POST /v1/completions},
 * {@code GET /v1/models}, {@code GET /health}, {@code GET /metrics} and the chat page at {@code /}. Request threads
 * are virtual; all model work runs on the {@link Scheduler}'s one thread.
 */
public final class QwenServer implements AutoCloseable {

    /** Where the web page lives on the class path. */
    static final String WEB_ROOT = "/io/qwen4j/server/web";

    private final ServerOptions options;
    private final Scheduler scheduler;
    private final ServerMetrics metrics = new ServerMetrics();
    private final ServerContext context;
    private final ChatCompletions chat;
    private final Completions completions;
    private final Javalin app;
    private final byte[] apiKey;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final long created = System.currentTimeMillis() / 1000;
    private volatile boolean draining;
    private volatile boolean closed;

    private QwenServer(Model model, ServerOptions options) {
        this.options = options;
        this.apiKey = options.apiKey() == null ? null : options.apiKey().getBytes(StandardCharsets.UTF_8);
        this.scheduler = new Scheduler(model, options.parallel(), options.contextLength(), options.queueCapacity(),
                options.prefillChunk(), metrics);
        metrics.watch(scheduler);
        ChatFormat format = model.chatFormat().orElse(null);
        this.context = new ServerContext(model, format, scheduler, options.modelId(), options.maxTokensCap());
        this.chat = new ChatCompletions(context);
        this.completions = new Completions(context);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.http.compressionStrategy = CompressionStrategy.NONE; // streamed events must not wait in a gzip buffer
            config.http.maxRequestSize = options.maxBodyBytes();
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            if (QwenServer.class.getResource(WEB_ROOT) != null) {
                config.staticFiles.add(files -> {
                    files.hostedPath = "/";
                    files.directory = WEB_ROOT;
                    files.location = Location.CLASSPATH;
                });
            }
            config.routes.get("/health", ctx -> route(ctx, "/health", false, this::health));
            config.routes.get("/metrics", ctx -> route(ctx, "/metrics", true, c ->
                    c.contentType(ServerMetrics.contentType()).result(metrics.scrape())));
            config.routes.get("/v1/models", ctx -> route(ctx, "/v1/models", true, this::models));
            config.routes.post("/v1/chat/completions", ctx -> route(ctx, "/v1/chat/completions", true,
                    c -> chat.handle(c, body(c))));
            config.routes.post("/v1/completions", ctx -> route(ctx, "/v1/completions", true,
                    c -> completions.handle(c, body(c))));
            config.routes.error(404, ctx -> {
                if (ctx.path().startsWith("/v1/")) {
                    error(ctx, new ApiException(404, "invalid_request_error", null, "unknown_url",
                            "Unknown request URL: " + ctx.method() + " " + ctx.path()));
                }
            });
        });
        app.start();
    }

    /** Starts a server on {@code options.host():options.port()} (port 0: a free one). */
    public static QwenServer start(Model model, ServerOptions options) {
        return new QwenServer(model, options);
    }

    public int port() {
        return app.port();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8080}. */
    public String url() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + host + ":" + port();
    }

    public ServerOptions options() {
        return options;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    @FunctionalInterface
    private interface Route {
        void handle(Context ctx) throws Exception;
    }

    /** Authentication, the OpenAI error shape for every failure, and request metrics around one endpoint. */
    private void route(Context ctx, String endpoint, boolean authenticated, Route route) {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        try {
            if (authenticated && !authorized(ctx)) {
                throw new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                        "Missing or incorrect API key: send it as the header 'Authorization: Bearer KEY'.");
            }
            route.handle(ctx);
        } catch (ApiException e) {
            error(ctx, e);
        } catch (Exception e) {
            if (!ctx.res().isCommitted()) {
                error(ctx, new ApiException(500, "server_error", null, null, "internal error: " + e.getMessage()));
            } else {
                streamError(ctx, e);
            }
        } finally {
            metrics.request(endpoint, ctx.res().getStatus());
            if (endpoint.startsWith("/v1/") && endpoint.endsWith("completions")) {
                metrics.requestDuration(endpoint, System.nanoTime() - start);
            }
            inFlight.decrementAndGet();
        }
    }

    /** After the stream started the status is sent: the error goes out as a last event, as OpenAI does. */
    private static void streamError(Context ctx, Exception e) {
        if (e instanceof IOException) {
            return; // the client went away
        }
        try {
            ObjectNode body = Json.object();
            ObjectNode err = body.putObject("error");
            err.put("message", e.getMessage());
            err.put("type", "server_error");
            ctx.res().getOutputStream().write(("data: " + Json.write(body) + "\n\n").getBytes(StandardCharsets.UTF_8));
            ctx.res().getOutputStream().flush();
        } catch (IOException ignored) {
            // the client went away as well
        }
    }

    private boolean authorized(Context ctx) {
        if (apiKey == null) {
            return true;
        }
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(apiKey, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    private static void error(Context ctx, ApiException e) {
        ObjectNode body = Json.object();
        ObjectNode err = body.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("param", e.param());
        err.put("code", e.code());
        ctx.status(e.status());
        if (e.status() == 429) {
            ctx.header("Retry-After", "1");
        }
        ctx.contentType("application/json").result(Json.write(body));
    }

    /** The body, at most maxBodyBytes (413 beyond), parsed as a JSON object. */
    private JsonNode body(Context ctx) throws IOException {
        long limit = options.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(declared);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw tooLarge(-1);
            }
            return Json.parse(bytes);
        }
    }

    private ApiException tooLarge(long size) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large", "the request body "
                + (size >= 0 ? "has " + size + " bytes; " : "is too large; ") + "this server takes at most "
                + options.maxBodyBytes() + " bytes");
    }

    private void health(Context ctx) {
        ObjectNode o = Json.object();
        o.put("status", draining ? "shutting down" : "ok");
        o.put("slots", scheduler.parallel());
        o.put("active_sequences", scheduler.activeSequences());
        o.put("queue_depth", scheduler.queueDepth());
        ctx.status(draining ? 503 : 200).contentType("application/json").result(Json.write(o));
    }

    private void models(Context ctx) {
        ObjectNode o = Json.object();
        o.put("object", "list");
        ObjectNode m = o.putArray("data").addObject();
        m.put("id", options.modelId());
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "qwen4j");
        m.putObject("meta").put("context_length", options.contextLength()).put("parallel", options.parallel());
        ctx.contentType("application/json").result(Json.write(o));
    }

    /**
     * Drains: new generation requests get 503, running and queued ones go on for up to {@code grace} and are then
     * ended (their streams close cleanly); then the HTTP server stops.
     *
     * @return true if everything finished within the grace period
     */
    public boolean shutdown(Duration grace) {
        if (closed) {
            return true;
        }
        draining = true;
        boolean clean;
        try {
            clean = scheduler.drain(grace);
            // the request threads write their last events after the scheduler ends them
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clean = false;
        }
        app.stop();
        closed = true;
        return clean;
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
