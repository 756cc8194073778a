package io.qwen4j.core.generate.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SamplerTest {

    /*
     * logit = ln(w), so the softmax at temperature 1 is w / sum(w), with sum(w) = 32:
     * id:   0       1      2        3     4      5         6          7
     * w:    2       8      1        16    4      0.5       0.25       0.25
     * p:    0.0625  0.25   0.03125  0.5   0.125  0.015625  0.0078125  0.0078125
     * sorted by p: 3, 1, 4, 0, 2, 5, 6, 7
     */
    private static final float[] WEIGHTS = {2, 8, 1, 16, 4, 0.5f, 0.25f, 0.25f};
    private static final int[] NO_HISTORY = {};

    private static float[] logits() {
        float[] logits = new float[WEIGHTS.length];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.log(WEIGHTS[i]);
        }
        return logits;
    }

    /** Everything off, temperature 1: a plain softmax draw; tests switch on one setting at a time. */
    private static SamplerConfig.Builder plain() {
        return SamplerConfig.builder().temperature(1).topK(0).topP(1).minP(0).seed(42);
    }

    private static Candidates keptBy(SamplerConfig config) {
        Sampler sampler = new Sampler(config, WEIGHTS.length);
        int token = sampler.sample(logits(), NO_HISTORY, 0);
        Candidates kept = sampler.lastCandidates();
        assertTrue(Arrays.stream(kept.ids()).anyMatch(id -> id == token), "drawn token " + token + " was kept");
        return kept;
    }

    private static void assertKept(Candidates kept, int[] ids, double[] probs) {
        assertEquals(ids.length, kept.size(), "kept " + Arrays.toString(kept.ids()));
        assertArrayEquals(ids, kept.ids());
        for (int i = 0; i < probs.length; i++) {
            assertEquals(probs[i], kept.probs()[i], 1e-6, "prob of id " + ids[i]);
        }
    }

    @Test
    void topKKeepsTheKHighest() {
        // k = 3 keeps ids 3, 1, 4 (w 16, 8, 4; sum 28): 16/28, 8/28, 4/28
        assertKept(keptBy(plain().topK(3).build()), new int[] {3, 1, 4},
                new double[] {0.5714286, 0.2857143, 0.1428571});
    }

    @Test
    void topPKeepsTheShortestPrefixReachingP() {
        // cumulative over 3, 1, 4, 0: 0.5, 0.75, 0.875, 0.9375; p = 0.9 is first reached at id 0.
        // Kept w 16, 8, 4, 2 (sum 30): 16/30, 8/30, 4/30, 2/30
        assertKept(keptBy(plain().topP(0.9f).build()), new int[] {3, 1, 4, 0},
                new double[] {0.5333333, 0.2666667, 0.1333333, 0.0666667});
        // p = 0.8 is first reached at id 4 (0.875): ids 3, 1, 4 (sum 28)
        assertKept(keptBy(plain().topP(0.8f).build()), new int[] {3, 1, 4},
                new double[] {0.5714286, 0.2857143, 0.1428571});
        // p = 0.4: the top token alone already has 0.5
        assertKept(keptBy(plain().topP(0.4f).build()), new int[] {3}, new double[] {1});
    }

    @Test
    void minPKeepsTokensAboveAFractionOfTheTop() {
        // min-p 0.2: threshold 0.2 * 0.5 = 0.1; kept p 0.5, 0.25, 0.125 (ids 3, 1, 4); id 0 (0.0625) goes
        assertKept(keptBy(plain().minP(0.2f).build()), new int[] {3, 1, 4},
                new double[] {0.5714286, 0.2857143, 0.1428571});
        // min-p 0.1: threshold 0.05 also keeps id 0 (0.0625) but not id 2 (0.03125)
        assertKept(keptBy(plain().minP(0.1f).build()), new int[] {3, 1, 4, 0},
                new double[] {0.5333333, 0.2666667, 0.1333333, 0.0666667});
    }

    @Test
    void temperatureReshapesAllTokens() {
        // T = 2: weights become sqrt(w) = sqrt2, 2 sqrt2, 1, 4, 2, sqrt0.5, 0.5, 0.5; sum = 8 + 3.5 sqrt2 = 12.9497475
        // p(3) = 4 / 12.9497475 = 0.3088863, p(1) = 2.8284271 / 12.9497475 = 0.2184156, p(4) = 0.1544432,
        // p(0) = 0.1092078, p(2) = 0.0772216, p(5) = 0.0546039, p(6) = p(7) = 0.0386108 (tie: lower id first)
        assertKept(keptBy(plain().temperature(2).build()), new int[] {3, 1, 4, 0, 2, 5, 6, 7},
                new double[] {0.3088863, 0.2184156, 0.1544432, 0.1092078, 0.0772216, 0.0546039, 0.0386108,
                    0.0386108});
    }

    @Test
    void filtersRunInLlamaCppOrderWithTemperatureLast() {
        // top-k 5: ids 3, 1, 4, 0, 2 (w 16, 8, 4, 2, 1; sum 31).
        // top-p 0.9 renormalised over those five: 16/31 = 0.516, 24/31 = 0.774, 28/31 = 0.903 >= 0.9 -> ids 3, 1, 4
        // (over the whole vocabulary the same p keeps four tokens: see topPKeepsTheShortestPrefixReachingP).
        // min-p 0.2: 4 >= 0.2 * 16 = 3.2, keeps all three.
        // T 0.5: weights w^2 = 256, 64, 16 (sum 336): 0.7619048, 0.1904762, 0.0476190
        SamplerConfig config = plain().topK(5).topP(0.9f).minP(0.2f).temperature(0.5f).build();
        assertKept(keptBy(config), new int[] {3, 1, 4}, new double[] {0.7619048, 0.1904762, 0.0476190});
        // min-p 0.3: 4 < 0.3 * 16 = 4.8, so id 4 goes: 256, 64 (sum 320) -> 0.8, 0.2
        assertKept(keptBy(config.toBuilder().minP(0.3f).build()), new int[] {3, 1}, new double[] {0.8, 0.2});
        // A high temperature comes after the filters and cannot let the tail in: T 5 keeps the same three;
        // weights w^0.2 = 16^0.2, 8^0.2, 4^0.2 = 1.7411011, 1.5157166, 1.3195079 (sum 4.5763256):
        // 0.3804583, 0.3312082, 0.2883335
        assertKept(keptBy(config.toBuilder().temperature(5).build()), new int[] {3, 1, 4},
                new double[] {0.3804583, 0.3312082, 0.2883335});
    }

    /*
     * Penalty logits: id 0..5 = 2.0, -1.0, 0.5, 3.0, 0.0, -2.0.
     * history = 1, 3, 1, 3, 0, 4, 5, 3, 2; the last 6 are 3, 0, 4, 5, 3, 2: counts 3 -> 2, 0/4/5/2 -> 1; id 1 only
     * occurs before the window.
     */
    private static final float[] PENALTY_LOGITS = {2.0f, -1.0f, 0.5f, 3.0f, 0.0f, -2.0f};
    private static final int[] HISTORY = {1, 3, 1, 3, 0, 4, 5, 3, 2};

    private static float[] penalised(SamplerConfig config) {
        float[] logits = PENALTY_LOGITS.clone();
        new Sampler(config, logits.length).sample(logits, HISTORY, HISTORY.length);
        return logits;
    }

    @Test
    void penaltiesFollowLlamaCppFormulas() {
        SamplerConfig config = SamplerConfig.greedy().toBuilder()
                .repetitionPenalty(2).presencePenalty(0.5f).frequencyPenalty(0.5f).penaltyLastN(6).build();
        // id 0: 2.0 / 2 = 1.0, minus 1 * 0.5 + 0.5 -> 0.0
        // id 1: outside the window -> -1.0
        // id 2: 0.5 / 2 = 0.25, minus 1.0 -> -0.75
        // id 3: 3.0 / 2 = 1.5, minus 2 * 0.5 + 0.5 -> 0.0
        // id 4: 0.0 is not positive: 0.0 * 2 = 0.0, minus 1.0 -> -1.0
        // id 5: -2.0 * 2 = -4.0, minus 1.0 -> -5.0
        assertArrayEquals(new float[] {0.0f, -1.0f, -0.75f, 0.0f, -1.0f, -5.0f}, penalised(config));
        // -1: the whole history; id 1 (count 2): -1 * 2 - (2 * 0.5 + 0.5) = -3.5;
        // id 3 (count 3): 1.5 - (3 * 0.5 + 0.5) = -0.5
        assertArrayEquals(new float[] {0.0f, -3.5f, -0.75f, -0.5f, -1.0f, -5.0f},
                penalised(config.toBuilder().penaltyLastN(-1).build()));
        // 0: no penalty at all
        assertArrayEquals(PENALTY_LOGITS, penalised(config.toBuilder().penaltyLastN(0).build()));
        // repetition alone, last 6: 1.0, -1.0, 0.25, 1.5, 0.0, -4.0
        assertArrayEquals(new float[] {1.0f, -1.0f, 0.25f, 1.5f, 0.0f, -4.0f},
                penalised(SamplerConfig.greedy().toBuilder().repetitionPenalty(2).penaltyLastN(6).build()));
    }

    @Test
    void greedyPicksTheArgmaxAfterPenaltiesWithTheLowestIdOnTies() {
        SamplerConfig config = SamplerConfig.greedy().toBuilder()
                .repetitionPenalty(2).presencePenalty(0.5f).frequencyPenalty(0.5f).penaltyLastN(6).build();
        // Raw argmax is id 3 (3.0); after the penalties ids 0 and 3 tie at 0.0 -> id 0.
        Sampler sampler = new Sampler(config, PENALTY_LOGITS.length);
        assertEquals(0, sampler.sample(PENALTY_LOGITS.clone(), HISTORY, HISTORY.length));
        assertKept(sampler.lastCandidates(), new int[] {0}, new double[] {1});

        Sampler plainGreedy = new Sampler(SamplerConfig.greedy(), 4);
        assertEquals(1, plainGreedy.sample(new float[] {1, 5, 5, 2}, NO_HISTORY, 0));
        assertEquals(2, plainGreedy.sample(new float[] {Float.NEGATIVE_INFINITY, 1, 7, 7}, NO_HISTORY, 0));
    }

    private static int[] draws(long seed, int count) {
        Sampler sampler = new Sampler(SamplerConfig.builder().seed(seed).topK(0).minP(0).build(), 1000);
        float[] base = new float[1000];
        for (int i = 0; i < base.length; i++) {
            base[i] = (float) Math.sin(i * 0.37) * 2; // broad: hundreds of tokens survive top-p 0.95
        }
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = sampler.sample(base.clone(), tokens, i);
        }
        return tokens;
    }

    @Test
    void theSameSeedRepeatsTheSequenceAndAnotherSeedDoesNot() {
        int[] first = draws(1234, 50);
        assertArrayEquals(first, draws(1234, 50), "a fresh sampler with the same seed restarts the sequence");
        assertNotEquals(Arrays.toString(first), Arrays.toString(draws(1235, 50)));
        assertNotEquals(Arrays.toString(first), Arrays.toString(draws(-7, 50)));
        assertTrue(Arrays.stream(first).distinct().count() > 25, "draws spread: " + Arrays.toString(first));
    }

    /** Counts of 20,000 draws within 4 standard errors of the hand-computed probabilities. */
    private static void assertFrequencies(SamplerConfig config, double[] expected) {
        Sampler sampler = new Sampler(config, WEIGHTS.length);
        int n = 20_000;
        int[] counts = new int[WEIGHTS.length];
        float[] logits = logits();
        for (int i = 0; i < n; i++) {
            counts[sampler.sample(logits, NO_HISTORY, 0)]++;
        }
        for (int id = 0; id < expected.length; id++) {
            double mean = n * expected[id];
            double sd = Math.sqrt(n * expected[id] * (1 - expected[id]));
            assertTrue(Math.abs(counts[id] - mean) <= 4 * sd + 1e-9,
                    "id " + id + ": " + counts[id] + " draws, expected " + mean + " +- " + 4 * sd
                            + "; all counts " + Arrays.toString(counts));
        }
    }

    @Test
    void drawFrequenciesMatchTheDistribution() {
        // T = 2, nothing filtered: the probabilities of temperatureReshapesAllTokens, by id
        assertFrequencies(plain().seed(7).temperature(2).build(), new double[] {
            0.1092078, 0.2184156, 0.0772216, 0.3088863, 0.1544432, 0.0546039, 0.0386108, 0.0386108});
        // top-p 0.9: ids 3, 1, 4, 0 with 16/30, 8/30, 4/30, 2/30; the rest never
        assertFrequencies(plain().seed(8).topP(0.9f).build(), new double[] {
            2 / 30.0, 8 / 30.0, 0, 16 / 30.0, 4 / 30.0, 0, 0, 0});
    }

    @Test
    void invalidArgumentsAreRejected() {
        Sampler sampler = new Sampler(plain().build(), 8);
        assertEquals("logits has 7 entries, the vocabulary 8",
                assertThrows(IllegalArgumentException.class,
                        () -> sampler.sample(new float[7], NO_HISTORY, 0)).getMessage());
        float[] nan = logits();
        nan[5] = Float.NaN;
        assertEquals("logits contain NaN at index 5",
                assertThrows(IllegalArgumentException.class, () -> sampler.sample(nan, NO_HISTORY, 0)).getMessage());
        float[] none = new float[8];
        Arrays.fill(none, Float.NEGATIVE_INFINITY);
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(none, NO_HISTORY, 0));
        assertEquals("historyLength 3 outside [0, 2]", assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(logits(), new int[2], 3)).getMessage());
        Sampler penalising = new Sampler(plain().repetitionPenalty(1.1f).build(), 8);
        assertEquals("history[1] = 8 is not a token id of a vocabulary of 8", assertThrows(
                IllegalArgumentException.class, () -> penalising.sample(logits(), new int[] {1, 8}, 2)).getMessage());
        assertThrows(IllegalStateException.class, () -> new Sampler(plain().build(), 8).lastCandidates());
        assertThrows(IllegalArgumentException.class, () -> new Sampler(plain().build(), 0));
    }
}
