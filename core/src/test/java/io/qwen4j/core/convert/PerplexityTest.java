package io.qwen4j.core.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.Session;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerplexityTest {

    private static final Path QWEN3 = HfConverterTest.MODELS.resolve("qwen3-tiny");
    private static String text;

    @TempDir
    Path tmp;

    @BeforeAll
    static void readText() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(QWEN3.resolve("reference.json").toFile());
        StringBuilder b = new StringBuilder();
        for (JsonNode p : ref.get("prompts")) {
            b.append(p.get("text").textValue()).append('\n');
        }
        text = b.toString();
    }

    @Test
    void perplexityIsExpOfTheMeanNllOfTheSecondHalfOfEachChunk() throws IOException {
        try (Model m = Model.load(QWEN3.resolve("model.gguf"))) {
            int[] tokens = m.tokenizer().encode(text);
            int ctx = 64;
            Perplexity.Result r = Perplexity.run(m, tokens, ctx, null, null, null);
            // independently: each chunk from an empty cache, softmax in double, positions 32..62 predict 33..63
            int vocab = m.config().vocabSize();
            List<Double> nll = new ArrayList<>();
            for (int c = 0; c < tokens.length / ctx; c++) {
                int[] chunk = java.util.Arrays.copyOfRange(tokens, c * ctx, (c + 1) * ctx);
                Session s = m.newSessionWithAllLogits(ctx);
                s.ingestAll(chunk, (i, logits, off) -> {
                    if (i >= ctx / 2 && i < ctx - 1) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int v = 0; v < vocab; v++) {
                            max = Math.max(max, logits[off + v]);
                        }
                        double z = 0;
                        for (int v = 0; v < vocab; v++) {
                            z += Math.exp(logits[off + v] - max);
                        }
                        nll.add(max + Math.log(z) - logits[off + chunk[i + 1]]);
                    }
                });
            }
            double mean = nll.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertEquals(tokens.length / ctx, r.chunks());
            assertEquals(nll.size(), r.scoredTokens());
            assertEquals((tokens.length / ctx) * 31, r.scoredTokens());
            // the forward pass is not bit-reproducible from run to run (float sums in another order): 1e-6 relative
            assertEquals(Math.exp(mean), r.perplexity(), 1e-6 * Math.exp(mean));
            assertTrue(r.perplexity() > 1 && Double.isFinite(r.perplexity()), "a random model: " + r.perplexity());
            assertEquals(null, r.divergence());
        }
    }

    @Test
    void aModelComparedWithItselfHasNoDivergenceAndF16IsCloseToBf16() throws IOException {
        Path saved = tmp.resolve("base.logits");
        int ctx = 32;
        Perplexity.Result base;
        int[] tokens;
        try (Model m = Model.load(QWEN3.resolve("model.gguf"))) {
            tokens = m.tokenizer().encode(text);
            try (LogitsFile.Writer w = new LogitsFile.Writer(saved, m.config().vocabSize(), ctx, tokens)) {
                base = Perplexity.run(m, tokens, ctx, w, null, null);
            }
            try (LogitsFile f = LogitsFile.open(saved)) {
                Perplexity.Result self = Perplexity.run(m, tokens, ctx, null, f, null);
                // 0 up to the run-to-run float noise of the forward pass
                assertEquals(0.0, self.divergence().meanKl(), 1e-7);
                assertEquals(0.0, self.divergence().maxKl(), 1e-6);
                assertEquals(1.0, self.divergence().top1Agreement());
                assertEquals(base.perplexity(), self.divergence().basePerplexity(), 1e-5 * base.perplexity());
            }
        }
        try (Model f16 = Model.load(QWEN3.resolve("quants/F16/model.gguf")); LogitsFile f = LogitsFile.open(saved)) {
            Perplexity.Result r = Perplexity.run(f16, tokens, ctx, null, f, null);
            Perplexity.Divergence d = r.divergence();
            System.out.printf("qwen3-tiny F16 vs BF16: PPL %.4f vs %.4f, mean KL %.3g, max KL %.3g, top-1 %.3f%n",
                    r.perplexity(), d.basePerplexity(), d.meanKl(), d.maxKl(), d.top1Agreement());
            // the F16 file holds the BF16 values exactly: only the arithmetic differs
            assertTrue(d.meanKl() >= 0 && d.meanKl() < 1e-5, "mean KL " + d.meanKl());
            assertTrue(d.maxKl() < 1e-3, "max KL " + d.maxKl());
            assertTrue(d.top1Agreement() >= 0.98, "top-1 " + d.top1Agreement());
            assertEquals(1.0, d.ratio(r.perplexity()), 0.01);
        }
    }

    @Test
    void mismatchedBasesAndShortTextsAreRejected() throws IOException {
        Path saved = tmp.resolve("base.logits");
        try (Model m = Model.load(QWEN3.resolve("model.gguf"))) {
            int[] tokens = m.tokenizer().encode(text);
            try (LogitsFile.Writer w = new LogitsFile.Writer(saved, m.config().vocabSize(), 32, tokens)) {
                Perplexity.run(m, tokens, 32, w, null, null);
            }
            try (LogitsFile f = LogitsFile.open(saved)) {
                var e = assertThrows(IllegalArgumentException.class, () -> Perplexity.run(m, tokens, 64, null, f, null));
                assertTrue(e.getMessage().contains("context of 32"), e.getMessage());
                int[] other = tokens.clone();
                other[5]++;
                e = assertThrows(IllegalArgumentException.class, () -> Perplexity.run(m, other, 32, null, f, null));
                assertTrue(e.getMessage().contains("another text"), e.getMessage());
            }
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Perplexity.run(m, java.util.Arrays.copyOf(tokens, 20), 32, null, null, null));
            assertTrue(e.getMessage().contains("fewer than one context"), e.getMessage());
        }
        Path truncated = tmp.resolve("cut.logits");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(saved), (int) Files.size(saved) - 4));
        assertThrows(io.qwen4j.core.ModelFormatException.class, () -> LogitsFile.open(truncated));
    }
}
