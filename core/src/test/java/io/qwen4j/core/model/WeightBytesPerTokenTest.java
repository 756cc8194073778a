package io.qwen4j.core.model;

import io.qwen4j.core.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What bench divides by the memory bandwidth: the weight bytes one decoded token reads. */
class WeightBytesPerTokenTest {

    @ParameterizedTest
    @ValueSource(strings = {"qwen1-tiny", "qwen2-tiny", "qwen2moe-tiny", "qwen3-tiny", "qwen3moe-tiny"})
    void everyWeightOnceButTheEmbeddingAndTheUnusedExperts(String name) {
        try (Model gguf = Model.load(Fixtures.MODELS.resolve(name + "/model.gguf"));
             Model hf = Model.load(Fixtures.MODELS.resolve(name + "/hf"))) {
            MoeConfig moe = gguf.config().moe();
            boolean tied = gguf.config().tieWordEmbeddings();
            assertEquals(expected(gguf, "token_embd.weight", "_exps.", tied, moe), gguf.weightBytesPerToken(), name);
            // HF names; norms and routers are BF16 there (F32 in the GGUF), so the totals differ
            String embedding = name.equals("qwen1-tiny") ? "transformer.wte.weight" : "model.embed_tokens.weight";
            assertEquals(expected(hf, embedding, ".mlp.experts.", tied, moe), hf.weightBytesPerToken(), name + " hf");
        }
    }

    /** All bytes, less the embedding when an output matrix of its own exists, less the experts a token skips. */
    private static long expected(Model m, String embeddingName, String expertMark, boolean tied, MoeConfig moe) {
        long all = 0;
        long embedding = -1;
        long routed = 0;
        for (Tensor t : m.tensors()) {
            all += t.data().byteSize();
            if (t.name().equals(embeddingName)) {
                embedding = t.data().byteSize();
            } else if (t.name().contains(expertMark) && !t.name().contains("shared")) {
                routed += t.data().byteSize();
            }
        }
        assertTrue(embedding > 0, embeddingName);
        assertEquals(moe != null, routed > 0);
        long skipped = moe == null ? 0 : routed - routed / moe.numExperts() * moe.numExpertsPerTok();
        return all - (tied ? 0 : embedding) - skipped;
    }
}
