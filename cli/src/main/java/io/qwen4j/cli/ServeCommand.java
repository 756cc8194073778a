package io.qwen4j.cli;

import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.ModelConfig;
import io.qwen4j.server.QwenServer;
import io.qwen4j.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code qwen4j serve}: the OpenAI-compatible server, with llama-server's flag names. Runs until SIGTERM or
 * Ctrl-C, which drain it: new requests are refused, running streams get {@code --drain-grace} seconds to finish.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/models, /health, /metrics) with a chat page at /.")
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file or Hugging Face folder")
    Path model;

    @Option(names = "--host", defaultValue = ServerOptions.DEFAULT_HOST,
            description = "address to listen on (default ${DEFAULT-VALUE}: this machine only)")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port (default ${DEFAULT-VALUE}; 0 = any free port)")
    int port;

    @Option(names = {"-np", "--parallel"}, defaultValue = "4",
            description = "sequences generated at once, each with its own --ctx-size context (default ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--api-key", description = "require 'Authorization: Bearer KEY' on every route but /health and the page")
    String apiKey;

    @Option(names = "--queue-size", defaultValue = "64",
            description = "requests that may wait for a free slot; more get 429 (default ${DEFAULT-VALUE})")
    int queueSize;

    @Option(names = "--max-tokens-cap", description = "no request generates more tokens than this (default: the context size)")
    Integer maxTokensCap;

    @Option(names = "--max-body-size", defaultValue = "4194304",
            description = "largest request body in bytes; larger gets 413 (default ${DEFAULT-VALUE})")
    long maxBodySize;

    @Option(names = "--prefill-chunk", defaultValue = "128",
            description = "prompt tokens computed per step between decoding steps (default ${DEFAULT-VALUE})")
    int prefillChunk;

    @Option(names = {"-a", "--alias"}, description = "the model's name in the API (default: the file or folder name)")
    String alias;

    @Option(names = "--drain-grace", defaultValue = "30",
            description = "seconds running streams may go on after SIGTERM before they are ended (default ${DEFAULT-VALUE})")
    int drainGraceSeconds;

    @Mixin
    RuntimeOptions runtime;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile QwenServer server;

    @Override
    public Integer call() throws InterruptedException {
        runtime.apply();
        PrintWriter err = spec.commandLine().getErr();
        Model m = ModelLoading.load(model, runtime);
        int context = runtime.contextLength(m);
        ServerOptions options;
        try {
            options = new ServerOptions(host, port, context, parallel, apiKey, queueSize, maxBodySize,
                    maxTokensCap == null ? context : maxTokensCap, prefillChunk, alias != null ? alias : modelId(model),
                    Duration.ofSeconds(drainGraceSeconds));
        } catch (IllegalArgumentException e) {
            m.close();
            throw new UserInputException(e.getMessage());
        }
        try {
            server = QwenServer.start(m, options);
        } catch (RuntimeException e) {
            m.close();
            throw new UserInputException("cannot listen on " + host + ":" + port + ": " + rootMessage(e));
        }
        Thread hook = Thread.ofPlatform().unstarted(this::stop);
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        out.println(banner(m, options));
        out.flush();
        stopped.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook itself is what stopped us
        }
        m.close();
        err.println("server stopped");
        return 0;
    }

    /** Drains and stops the server (the SIGTERM hook; tests call it directly). */
    void stop() {
        QwenServer s = server;
        if (s != null && stopped.getCount() > 0) {
            boolean clean = s.shutdown(s.options().drainGrace());
            spec.commandLine().getErr().println(clean ? "drained: every request finished"
                    : "drain grace period over: the remaining streams were ended");
            spec.commandLine().getErr().flush();
        }
        stopped.countDown();
    }

    /** The server's URL once it listens, else null. */
    String url() {
        QwenServer s = server;
        return s == null ? null : s.url();
    }

    private String banner(Model m, ServerOptions o) {
        ModelConfig c = m.config();
        long modelBytes = m.tensors().stream().mapToLong(t -> t.data().byteSize()).sum();
        // keys and values, float32, every layer and KV head, every position of every slot
        long kvBytes = 2L * Float.BYTES * c.numHiddenLayers() * c.numKeyValueHeads() * c.headDim()
                * o.contextLength() * o.parallel();
        return String.join(System.lineSeparator(),
                "qwen4j server listening on " + serverUrl(),
                "  model:   " + o.modelId() + " (" + m.path() + ", " + c.architecture() + ")",
                "  context: " + o.contextLength() + " tokens per slot x " + o.parallel() + " slots (--parallel)",
                "  memory:  " + Bytes.format(modelBytes) + " weights (mapped) + " + Bytes.format(kvBytes) + " KV cache = "
                        + Bytes.format(modelBytes + kvBytes),
                "  api:     POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health, GET /metrics"
                        + (o.apiKey() == null ? "" : " (API key required)"),
                "  page:    " + serverUrl() + "/");
    }

    private String serverUrl() {
        return server.url();
    }

    /** The file name without .gguf, or the folder's name; a file called model.gguf is named by its folder. */
    static String modelId(Path path) {
        Path p = path.toAbsolutePath().normalize();
        String name = p.getFileName() == null ? p.toString() : p.getFileName().toString();
        if (name.equals("model.gguf") && p.getParent() != null && p.getParent().getFileName() != null) {
            return p.getParent().getFileName().toString();
        }
        return name.endsWith(".gguf") ? name.substring(0, name.length() - ".gguf".length()) : name;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Byte counts for people. */
    static final class Bytes {
        private Bytes() {
        }

        static String format(long bytes) {
            if (bytes < 1024) {
                return bytes + " B";
            }
            String[] units = {"KiB", "MiB", "GiB", "TiB"};
            double v = bytes;
            int u = -1;
            while (v >= 1024 && u < units.length - 1) {
                v /= 1024;
                u++;
            }
            return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
        }
    }
}
