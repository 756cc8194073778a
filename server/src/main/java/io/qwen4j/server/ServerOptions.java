package io.qwen4j.server;

import java.time.Duration;

/**
 * How the server runs. Names follow llama-server's flags where one exists.
 *
 * @param host           address to bind (loopback by default: nothing outside the machine can reach it)
 * @param port           TCP port; 0 picks a free one
 * @param contextLength  positions of each slot's KV cache (per slot, not split between slots)
 * @param parallel       slots: sequences generated at once
 * @param apiKey         required as {@code Authorization: Bearer KEY} on every route but /health and the page; null = open
 * @param queueCapacity  requests that may wait for a slot; more get 429
 * @param maxBodyBytes   largest request body; larger gets 413
 * @param maxTokensCap   no request generates more tokens than this
 * @param prefillChunk   prompt tokens computed per scheduler step, between decoding steps
 * @param modelId        the model's name in /v1/models and in responses
 * @param drainGrace     on shutdown, how long running streams may go on before they are ended
 */
public record ServerOptions(String host, int port, int contextLength, int parallel, String apiKey, int queueCapacity,
                            long maxBodyBytes, int maxTokensCap, int prefillChunk, String modelId, Duration drainGrace) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    public ServerOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        if (contextLength < 2) {
            throw new IllegalArgumentException("the context size must be at least 2 tokens, got " + contextLength);
        }
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel must be at least 1, got " + parallel);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("the API key must not be blank");
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("the queue size must not be negative, got " + queueCapacity);
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("the body size limit must be at least 1024 bytes, got " + maxBodyBytes);
        }
        if (maxTokensCap < 1) {
            throw new IllegalArgumentException("the max tokens cap must be at least 1, got " + maxTokensCap);
        }
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("the prefill chunk must be at least 1 token, got " + prefillChunk);
        }
        if (drainGrace.isNegative()) {
            throw new IllegalArgumentException("the drain grace period must not be negative");
        }
    }

    /** Defaults for everything but the model name and context: loopback, port 8080, 4 slots, queue 64, 4 MiB bodies. */
    public static ServerOptions defaults(String modelId, int contextLength) {
        return new ServerOptions(DEFAULT_HOST, DEFAULT_PORT, contextLength, 4, null, 64, 4L << 20, contextLength, 128,
                modelId, Duration.ofSeconds(30));
    }

    public ServerOptions withPort(int p) {
        return with(b -> b.port = p);
    }

    public ServerOptions withParallel(int n) {
        return with(b -> b.parallel = n);
    }

    public ServerOptions withApiKey(String key) {
        return with(b -> b.apiKey = key);
    }

    public ServerOptions withQueueCapacity(int q) {
        return with(b -> b.queueCapacity = q);
    }

    public ServerOptions withMaxBodyBytes(long bytes) {
        return with(b -> b.maxBodyBytes = bytes);
    }

    public ServerOptions withMaxTokensCap(int cap) {
        return with(b -> b.maxTokensCap = cap);
    }

    public ServerOptions withHost(String h) {
        return with(b -> b.host = h);
    }

    public ServerOptions withPrefillChunk(int c) {
        return with(b -> b.prefillChunk = c);
    }

    public ServerOptions withDrainGrace(Duration d) {
        return with(b -> b.drainGrace = d);
    }

    /** A copy with some fields changed (and validated again). */
    private ServerOptions with(java.util.function.Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return new ServerOptions(f.host, f.port, contextLength, f.parallel, f.apiKey, f.queueCapacity, f.maxBodyBytes,
                f.maxTokensCap, f.prefillChunk, modelId, f.drainGrace);
    }

    /** The changeable fields of a copy. */
    private static final class Fields {
        String host;
        int port;
        int parallel;
        String apiKey;
        int queueCapacity;
        long maxBodyBytes;
        int maxTokensCap;
        int prefillChunk;
        Duration drainGrace;

        Fields(ServerOptions o) {
            host = o.host;
            port = o.port;
            parallel = o.parallel;
            apiKey = o.apiKey;
            queueCapacity = o.queueCapacity;
            maxBodyBytes = o.maxBodyBytes;
            maxTokensCap = o.maxTokensCap;
            prefillChunk = o.prefillChunk;
            drainGrace = o.drainGrace;
        }
    }
}
