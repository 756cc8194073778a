package io.qwen4j.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.qwen4j.server.engine.Scheduler;
import io.qwen4j.server.engine.SchedulerObserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The server's Prometheus metrics, in a registry of its own (several servers can live in one JVM, as in tests).
 * All names start with {@code qwen4j_}.
 */
public final class ServerMetrics implements SchedulerObserver {

    private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("qwen4j_requests_total")
            .help("HTTP requests by endpoint and status code").labelNames("endpoint", "status").register(registry);
    private final Counter promptTokens = Counter.builder().name("qwen4j_prompt_tokens_total")
            .help("Prompt tokens of admitted requests, cached or not").register(registry);
    private final Counter prefillTokens = Counter.builder().name("qwen4j_prefill_tokens_total")
            .help("Prompt tokens computed (not served from the prefix cache)").register(registry);
    private final Counter generatedTokens = Counter.builder().name("qwen4j_generated_tokens_total")
            .help("Tokens generated").register(registry);
    private final Counter prefixLookups = Counter.builder().name("qwen4j_prefix_cache_lookups_total")
            .help("Requests that looked for a cached prompt prefix").register(registry);
    private final Counter prefixHits = Counter.builder().name("qwen4j_prefix_cache_hits_total")
            .help("Requests that reused a cached prompt prefix").register(registry);
    private final Counter prefixTokens = Counter.builder().name("qwen4j_prefix_cache_tokens_total")
            .help("Prompt tokens reused from the prefix cache").register(registry);
    private final Counter cancelled = Counter.builder().name("qwen4j_sequences_cancelled_total")
            .help("Sequences cancelled before they ended (client disconnected or shutdown)").register(registry);
    private final Counter decodeSteps = Counter.builder().name("qwen4j_decode_steps_total")
            .help("Batched decoding steps").register(registry);
    private final Histogram batchSize = Histogram.builder().name("qwen4j_decode_batch_size")
            .help("Sequences advanced together per decoding step").classicOnly()
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64).register(registry);
    private final Histogram timeToFirstToken = Histogram.builder().name("qwen4j_time_to_first_token_seconds")
            .help("From a request's arrival at the scheduler to its first generated token").classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS).register(registry);
    private final Histogram requestDuration = Histogram.builder().name("qwen4j_request_duration_seconds")
            .help("Duration of generation requests, to the last byte").classicOnly().labelNames("endpoint")
            .classicUpperBounds(LATENCY_BUCKETS).register(registry);

    /** Publishes the scheduler's queue depth, active sequences and slots as gauges. */
    public void watch(Scheduler scheduler) {
        GaugeWithCallback.builder().name("qwen4j_queue_depth").help("Requests waiting for a free slot")
                .callback(cb -> cb.call(scheduler.queueDepth())).register(registry);
        GaugeWithCallback.builder().name("qwen4j_active_sequences").help("Sequences holding a slot (prefilling or generating)")
                .callback(cb -> cb.call(scheduler.activeSequences())).register(registry);
        GaugeWithCallback.builder().name("qwen4j_slots").help("Parallel sequences the server runs (--parallel)")
                .callback(cb -> cb.call(scheduler.parallel())).register(registry);
    }

    public void request(String endpoint, int status) {
        requests.labelValues(endpoint, Integer.toString(status)).inc();
    }

    public void requestDuration(String endpoint, long nanos) {
        requestDuration.labelValues(endpoint).observe(nanos / 1e9);
    }

    @Override
    public void prefixLookup(int promptTokens, int reusedTokens) {
        this.promptTokens.inc(promptTokens);
        prefixLookups.inc();
        if (reusedTokens > 0) {
            prefixHits.inc();
            prefixTokens.inc(reusedTokens);
        }
    }

    @Override
    public void decodeStep(int sequences) {
        decodeSteps.inc();
        batchSize.observe(sequences);
    }

    @Override
    public void promptTokensComputed(int tokens) {
        prefillTokens.inc(tokens);
    }

    @Override
    public void firstToken(long nanos) {
        timeToFirstToken.observe(nanos / 1e9);
    }

    @Override
    public void tokenGenerated() {
        generatedTokens.inc();
    }

    @Override
    public void sequenceCancelled() {
        cancelled.inc();
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException("writing metrics to memory failed", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
