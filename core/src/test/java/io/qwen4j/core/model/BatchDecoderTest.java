package io.qwen4j.core.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batched decoding and shared prefixes give what each sequence gets on its own. */
class BatchDecoderTest {

    /** Sums run in another order (a tile of rows instead of one row): equal up to float rounding. */
    private static final float TOLERANCE = 2e-5f;

    @ParameterizedTest
    @ValueSource(strings = {"qwen1-tiny/model.gguf", "qwen2moe-tiny/model.gguf", "qwen3-tiny/hf", "qwen3moe-tiny/model.gguf"})
    void aBatchedStepEqualsSeparateSteps(String model) {
        Fixtures.Reference ref = Fixtures.reference(Fixtures.MODELS.resolve(model).getParent());
        try (Model m = Model.load(Fixtures.MODELS.resolve(model))) {
            int vocab = m.config().vocabSize();
            int n = ref.prompts().size();
            Session[] batch = new Session[n];
            int[] next = new int[n];
            float[][] alone = new float[n][];
            for (int i = 0; i < n; i++) {
                Fixtures.Prompt p = ref.prompts().get(i);
                batch[i] = m.newSession(512);
                batch[i].ingest(p.ids());
                next[i] = p.greedyIds()[0];
                Session single = m.newSession(512);
                single.ingest(p.ids());
                alone[i] = Arrays.copyOf(single.ingest(next[i]), vocab);
            }
            BatchDecoder decoder = m.newBatchDecoder(4);
            float[] logits = decoder.decode(batch, next, n);
            for (int i = 0; i < n; i++) {
                assertEquals(ref.prompts().get(i).ids().length + 1, batch[i].position());
                for (int v = 0; v < vocab; v++) {
                    assertEquals(alone[i][v], logits[i * vocab + v], TOLERANCE, model + " row " + i + " logit " + v);
                }
            }
            // the fixture's greedy continuation, all three sequences advancing together
            for (int step = 1; step < 6; step++) {
                for (int i = 0; i < n; i++) {
                    assertEquals(ref.prompts().get(i).greedyIds()[step], argmax(logits, i * vocab, vocab),
                            model + " sequence " + i + " step " + step);
                    next[i] = ref.prompts().get(i).greedyIds()[step];
                }
                logits = decoder.decode(batch, next, n);
            }
        }
    }

    @Test
    void aCopiedPrefixContinuesLikeTheOriginal() {
        Fixtures.Prompt p = Fixtures.reference(Fixtures.MODELS.resolve("qwen3-tiny")).prompts().get(2);
        try (Model m = Model.load(Fixtures.MODELS.resolve("qwen3-tiny/model.gguf"))) {
            int vocab = m.config().vocabSize();
            Session a = m.newSession(512);
            float[] want = Arrays.copyOf(a.ingest(p.ids()), vocab);
            Session b = m.newSession(300);
            b.copyPrefixFrom(a, p.ids().length - 1);
            float[] got = b.ingest(p.ids()[p.ids().length - 1]);
            for (int v = 0; v < vocab; v++) {
                assertEquals(want[v], got[v], TOLERANCE);
            }
            assertThrows(IllegalArgumentException.class, () -> b.copyPrefixFrom(a, a.position() + 1));
        }
    }

    @Test
    void badBatchesAreRejectedBeforeAnythingChanges() {
        try (Model m = Model.load(Fixtures.MODELS.resolve("qwen3-tiny/model.gguf"));
             Model other = Model.load(Fixtures.MODELS.resolve("qwen2-tiny/model.gguf"))) {
            BatchDecoder d = m.newBatchDecoder(2);
            Session s = m.newSession(4);
            s.ingest(1, 2, 3);
            var e = assertThrows(IllegalArgumentException.class, () -> d.decode(new Session[] {s, s}, new int[] {1, 2}, 2));
            assertTrue(e.getMessage().contains("twice"), e.getMessage());
            Session foreign = other.newSession(4);
            assertThrows(IllegalArgumentException.class, () -> d.decode(new Session[] {foreign}, new int[] {1}, 1));
            d.decode(new Session[] {s}, new int[] {4}, 1);
            assertThrows(ContextOverflowException.class, () -> d.decode(new Session[] {s}, new int[] {5}, 1));
            assertEquals(4, s.position());
        }
    }

    private static int argmax(float[] x, int off, int n) {
        return Fixtures.argmax(x, off, n);
    }
}
