package io.qwen4j.cli;

import io.qwen4j.core.convert.LogitsFile;
import io.qwen4j.core.convert.Perplexity;
import io.qwen4j.core.model.Model;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code qwen4j perplexity}: llama-perplexity's measure (chunks of the context size, second half of each scored).
 * {@code --save-logits} keeps the base model's log-probabilities; {@code --kl-divergence-base} compares another
 * model (a quantisation, say) with them.
 */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Perplexity of a model over a text file; with --kl-divergence-base, its distance from a base model.")
final class PerplexityCommand implements Callable<Integer> {

    /** llama-perplexity's default context. */
    private static final int DEFAULT_CONTEXT = 512;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file or Hugging Face folder")
    Path model;

    @Option(names = {"-f", "--file"}, required = true, description = "the text to evaluate (UTF-8)")
    Path file;

    @Option(names = "--save-logits", paramLabel = "FILE",
            description = "save the log-probabilities of every scored token (4 x vocab bytes each) for a later --kl-divergence-base")
    Path saveLogits;

    @Option(names = "--kl-divergence-base", paramLabel = "FILE",
            description = "compare with a base model's --save-logits file: KL divergence, top-1 agreement, PPL ratio")
    Path klBase;

    @Option(names = "--chunks", paramLabel = "N", description = "evaluate at most N chunks (default: all)")
    Integer maxChunks;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws IOException {
        runtime.apply();
        if (saveLogits != null && klBase != null) {
            throw new UserInputException("--save-logits and --kl-divergence-base are for two different runs: save "
                    + "with the base model, compare with the other one");
        }
        if (!Files.isRegularFile(file)) {
            throw new UserInputException(file + ": file not found");
        }
        String text = Files.readString(file);
        try (Model m = ModelLoading.load(model, runtime); LogitsFile base = klBase == null ? null : LogitsFile.open(klBase)) {
            int ctx = runtime.ctxSize != null ? runtime.ctxSize : base != null ? base.contextLength() : DEFAULT_CONTEXT;
            int[] tokens = m.tokenizer().encode(text);
            if (maxChunks != null) {
                if (maxChunks < 1) {
                    throw new UserInputException("--chunks must be at least 1, got " + maxChunks);
                }
                tokens = java.util.Arrays.copyOf(tokens, (int) Math.min(tokens.length, (long) maxChunks * ctx));
            }
            Perplexity.Result r;
            try (LogitsFile.Writer save = saveLogits == null ? null
                    : new LogitsFile.Writer(saveLogits, m.config().vocabSize(), ctx, tokens);
                 ChunkBar bar = ChunkBar.start()) {
                r = Perplexity.run(m, tokens, ctx, save, base, bar);
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage());
            }
            print(r, tokens.length);
        }
        return 0;
    }

    private void print(Perplexity.Result r, int tokens) {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", model.toString());
        o.put("tokens", tokens);
        o.put("ctx_size", r.contextLength());
        o.put("chunks", r.chunks());
        o.put("scored_tokens", r.scoredTokens());
        o.put("mean_nll", r.meanNll());
        o.put("perplexity", r.perplexity());
        Perplexity.Divergence d = r.divergence();
        if (d != null) {
            o.put("base_perplexity", d.basePerplexity());
            o.put("ppl_ratio", d.ratio(r.perplexity()));
            o.put("mean_kl_divergence", d.meanKl());
            o.put("max_kl_divergence", d.maxKl());
            o.put("top1_agreement", d.top1Agreement());
        }
        if (json) {
            out.println(Json.write(o));
        } else {
            out.printf(Locale.ROOT, "perplexity %.4f over %d tokens (%d chunks of %d, second halves scored)%n",
                    r.perplexity(), r.scoredTokens(), r.chunks(), r.contextLength());
            if (d != null) {
                out.printf(Locale.ROOT, "base perplexity %.4f, ratio %.5f%n", d.basePerplexity(), d.ratio(r.perplexity()));
                out.printf(Locale.ROOT, "KL divergence mean %.6f, max %.6f; same top token %.2f%%%n", d.meanKl(),
                        d.maxKl(), 100 * d.top1Agreement());
            }
        }
        out.flush();
    }

    /** Chunks done and the running perplexity, on stderr when it is a terminal. */
    private static final class ChunkBar implements Perplexity.Listener, AutoCloseable {
        private final ProgressBar bar;

        private ChunkBar(ProgressBar bar) {
            this.bar = bar;
        }

        static ChunkBar start() {
            var console = System.console();
            return new ChunkBar(console == null || !console.isTerminal() ? null
                    : new ProgressBarBuilder().setTaskName("perplexity").setInitialMax(1)
                            .setStyle(ProgressBarStyle.ASCII).setUnit(" chunks", 1).build());
        }

        @Override
        public void chunkDone(int chunksDone, int chunks, double perplexitySoFar) {
            if (bar != null) {
                bar.maxHint(chunks);
                bar.stepTo(chunksDone);
                bar.setExtraMessage(String.format(Locale.ROOT, " PPL %.3f", perplexitySoFar));
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
