package io.qwen4j.core.generate.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fast paths (bounded heap, bucketed top-p, min-p threshold) against a plain reference that sorts the whole
 * vocabulary, on a Qwen-sized vocabulary with many tied logits.
 */
class SamplerReferenceTest {

    private static final int VOCABULARY = 151_936;

    /** Gaussian logits with standard deviation 3, rounded to eighths so that ties are common. */
    private static float[] randomLogits(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] logits = new float[VOCABULARY];
        for (int i = 0; i < logits.length; i++) {
            double radius = Math.sqrt(-2 * Math.log(1 - random.nextDouble()));
            double gaussian = radius * Math.cos(2 * Math.PI * random.nextDouble()); // Box-Muller
            logits[i] = Math.round(gaussian * 3 * 8) / 8f;
        }
        return logits;
    }

    /** The pipeline by definition: full sort, then top-k, top-p, min-p over prefixes, then softmax at T. */
    private static double[][] reference(float[] logits, SamplerConfig config) {
        Integer[] order = IntStream.range(0, logits.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i));
        int kept = config.topK() > 0 ? Math.min(config.topK(), order.length) : order.length;
        double max = logits[order[0]];
        if (config.topP() < 1) {
            double total = 0;
            for (int i = 0; i < kept; i++) {
                total += Math.exp(logits[order[i]] - max);
            }
            double cumulative = 0;
            for (int i = 0; i < kept; i++) {
                cumulative += Math.exp(logits[order[i]] - max) / total;
                if (cumulative >= config.topP()) {
                    kept = i + 1;
                    break;
                }
            }
        }
        if (config.minP() > 0) {
            int i = 0;
            while (i < kept && Math.exp(logits[order[i]] - max) >= config.minP()) {
                i++;
            }
            kept = i;
        }
        double[] ids = new double[kept];
        double[] probs = new double[kept];
        double total = 0;
        for (int i = 0; i < kept; i++) {
            ids[i] = order[i];
            probs[i] = Math.exp((logits[order[i]] - max) / config.temperature());
            total += probs[i];
        }
        for (int i = 0; i < kept; i++) {
            probs[i] /= total;
        }
        return new double[][] {ids, probs};
    }

    @ParameterizedTest(name = "seed {0}: T {1}, top-k {2}, top-p {3}, min-p {4}")
    @CsvSource({
        "1, 0.8, 40, 0.95, 0.05",  // llama.cpp defaults
        "2, 0.7, 20, 0.95, 0",     // Qwen3's recommended thinking settings
        "3, 1.0, 0, 0.95, 0",      // top-p over the whole vocabulary
        "4, 0.6, 0, 0.5, 0.01",    // top-p then min-p, no top-k
        "5, 1.0, 0, 1, 0.05",      // min-p alone
        "6, 1.3, 0, 1, 0",         // nothing filtered
        "7, 1.0, 1000, 0.99, 0",   // a wide top-k cut by top-p
        "8, 1.0, 0, 0.999, 0",     // a nucleus of tens of thousands of tokens
    })
    void fastPathsMatchTheFullSortReference(long seed, float temperature, int topK, float topP, float minP) {
        SamplerConfig config = SamplerConfig.builder().seed(seed).temperature(temperature).topK(topK).topP(topP)
                .minP(minP).build();
        float[] logits = randomLogits(seed);
        double[][] expected = reference(logits, config);
        Sampler sampler = new Sampler(config, VOCABULARY);
        int token = sampler.sample(logits.clone(), new int[0], 0);
        Candidates kept = sampler.lastCandidates();

        int[] expectedIds = Arrays.stream(expected[0]).mapToInt(d -> (int) d).toArray();
        assertEquals(expectedIds.length, kept.size(), "kept set size");
        assertArrayEquals(expectedIds, kept.ids());
        for (int i = 0; i < kept.size(); i++) {
            assertEquals(expected[1][i], kept.probs()[i], 1e-6 + 1e-5 * expected[1][i], "prob of rank " + i);
        }
        assertTrue(Arrays.stream(expectedIds).anyMatch(id -> id == token), "drawn token " + token + " was kept");
    }
}
