package io.qwen4j.cli;

import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.tensor.MemoryBandwidth;
import io.qwen4j.core.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code qwen4j bench}: the two tests of llama-bench. pp: a prompt of {@code -p} random tokens processed in one
 * pass; tg: {@code -n} tokens decoded one at a time from an empty context. Each is repeated {@code -r} times after
 * a warm-up run, and reported as mean and standard deviation of tokens per second.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prompt processing and generation speed, as llama-bench does (pp and tg tests).")
final class BenchCommand implements Callable<Integer> {

    /** 1 GiB: 32 times the largest L3 of the machines we bench on. */
    private static final long BANDWIDTH_BUFFER = 1L << 30;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file or Hugging Face folder")
    Path model;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "512", description = "prompt tokens (0 = skip; default ${DEFAULT-VALUE})")
    int nPrompt;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "128", description = "generated tokens (0 = skip; default ${DEFAULT-VALUE})")
    int nGen;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "5", description = "repetitions of each test (default ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = {"-t", "--threads"}, description = "worker threads (default: all cores)")
    Integer threads;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--bandwidth", description = "also measure the memory read bandwidth with the same threads and "
            + "report the share of it that decode reaches (weight bytes per token x tokens per second)")
    boolean bandwidth;

    @Override
    public Integer call() throws IOException {
        if (threads != null) {
            if (threads < 1) {
                throw new UserInputException("--threads must be at least 1, got " + threads);
            }
            Parallel.setThreads(threads);
        }
        if (nPrompt < 0 || nGen < 0 || repetitions < 1) {
            throw new UserInputException("-p and -n must not be negative and -r must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Model m = ModelLoading.load(model)) {
            int vocab = Math.min(m.tokenizer().vocabularySize(), m.config().vocabSize());
            Stats pp = nPrompt > 0 ? measure(() -> prompt(m, vocab)) : null;
            Stats tg = nGen > 0 ? measure(() -> generation(m, vocab)) : null;
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", model.toString());
            o.put("threads", Parallel.threads());
            o.put("n_prompt", nPrompt);
            o.put("n_gen", nGen);
            o.put("repetitions", repetitions);
            if (pp != null) {
                o.put("prompt_tps", pp.toJson());
            }
            if (tg != null) {
                o.put("gen_tps", tg.toJson());
            }
            o.put("model_bytes", m.tensors().stream().mapToLong(t -> t.data().byteSize()).sum());
            long peakRss = peakRss(); // before the bandwidth test's buffer
            long perToken = m.weightBytesPerToken();
            o.put("weight_bytes_per_token", perToken);
            double readBandwidth = bandwidth ? MemoryBandwidth.measureRead(BANDWIDTH_BUFFER, 5) : 0;
            if (tg != null) {
                o.put("decode_bytes_per_s", perToken * tg.mean);
            }
            if (bandwidth) {
                o.put("read_bandwidth_bytes_per_s", readBandwidth);
                if (tg != null) {
                    o.put("decode_bandwidth_share", perToken * tg.mean / readBandwidth);
                }
            }
            o.put("peak_rss_bytes", peakRss);
            if (json) {
                out.println(Json.write(o));
            } else {
                out.printf("%-40s %8s %10s %22s%n", "model", "threads", "test", "t/s");
                String name = model.getFileName().toString();
                if (pp != null) {
                    out.printf("%-40s %8d %10s %14.2f ± %-6.2f%n", name, Parallel.threads(), "pp" + nPrompt, pp.mean, pp.std);
                }
                if (tg != null) {
                    out.printf("%-40s %8d %10s %14.2f ± %-6.2f%n", name, Parallel.threads(), "tg" + nGen, tg.mean, tg.std);
                }
                out.printf("model %.1f MiB, peak RSS %.1f MiB%n", (long) o.get("model_bytes") / 1048576.0,
                        peakRss / 1048576.0);
                if (tg != null) {
                    out.printf("decode reads %.1f MiB of weights per token: %.2f GB/s", perToken / 1048576.0,
                            perToken * tg.mean / 1e9);
                    if (bandwidth) {
                        out.printf(", %.0f%% of the %.2f GB/s memory read bandwidth measured with %d threads",
                                100 * perToken * tg.mean / readBandwidth, readBandwidth / 1e9, Parallel.threads());
                    }
                    out.println();
                } else if (bandwidth) {
                    out.printf("memory read bandwidth %.2f GB/s with %d threads%n", readBandwidth / 1e9,
                            Parallel.threads());
                }
            }
            out.flush();
            return 0;
        }
    }

    /** Tokens per second of one run of the prompt test. */
    private double prompt(Model m, int vocab) {
        int[] tokens = randomTokens(nPrompt, vocab, 1);
        Session s = m.newSession(nPrompt);
        long t0 = System.nanoTime();
        s.ingest(tokens);
        return nPrompt * 1e9 / (System.nanoTime() - t0);
    }

    /** Tokens per second of one run of the generation test. */
    private double generation(Model m, int vocab) {
        int[] tokens = randomTokens(nGen, vocab, 2);
        Session s = m.newSession(nGen);
        long t0 = System.nanoTime();
        for (int token : tokens) {
            s.ingest(token);
        }
        return nGen * 1e9 / (System.nanoTime() - t0);
    }

    private Stats measure(java.util.function.DoubleSupplier run) {
        run.getAsDouble(); // warm-up, as llama-bench does
        double[] v = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            v[i] = run.getAsDouble();
        }
        return Stats.of(v);
    }

    private static int[] randomTokens(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(vocab);
        }
        return t;
    }

    /** VmHWM of this process (Linux), 0 where /proc is not available. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    record Stats(double mean, double std) {
        static Stats of(double[] v) {
            double mean = 0;
            for (double x : v) {
                mean += x;
            }
            mean /= v.length;
            double var = 0;
            for (double x : v) {
                var += (x - mean) * (x - mean);
            }
            return new Stats(mean, v.length > 1 ? Math.sqrt(var / (v.length - 1)) : 0);
        }

        Map<String, Object> toJson() {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("mean", mean);
            o.put("std", std);
            return o;
        }
    }
}
