package io.qwen4j.core.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prompt path of attention (PrefillAttention: whole blocks of queries as matrix products) computes what the
 * token-by-token path computes: a prompt fed in chunks that take the prompt path (several query blocks, a chunk
 * that starts after earlier positions) against the same tokens fed one at a time.
 */
class PrefillAttentionTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"qwen3-tiny, F32", "qwen3-tiny, F16", "qwen2-tiny, F16", "qwen1-tiny, F32", "qwen3moe-tiny, F16"})
    void chunksMatchTokenByToken(String model, KVCacheType cacheType) {
        int[] tokens = new SplittableRandom(5).ints(150, 0, 4000).toArray();
        try (Model m = Model.load(Fixtures.MODELS.resolve(model + "/model.gguf"))) {
            Session oneByOne = m.newSession(256, cacheType);
            float[] want = null;
            for (int t : tokens) {
                want = oneByOne.ingest(t).clone();
            }
            Session chunked = m.newSession(256, cacheType);
            chunked.ingest(Arrays.copyOfRange(tokens, 0, 20)); // PrefillAttention.MIN_TOKENS .. one block
            float[] got = chunked.ingest(Arrays.copyOfRange(tokens, 20, tokens.length)); // two blocks, from 20 on
            double max = 0;
            double scale = 0;
            for (int v = 0; v < want.length; v++) {
                max = Math.max(max, Math.abs(want[v] - got[v]));
                scale = Math.max(scale, Math.abs(want[v]));
            }
            // both paths sum the same float products in different orders; an error in masking, staging or
            // scaling moves logits by far more than this
            assertTrue(max <= 2e-4 * Math.max(1, scale), model + " " + cacheType + ": max |diff| " + max
                    + " (largest logit " + scale + ")");
        }
    }
}
