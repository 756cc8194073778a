package io.qwen4j.core.constrain;

import io.qwen4j.core.constrain.Automaton.State;
import io.qwen4j.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Masks over the real Qwen3 vocabulary (151,669 tokens, 151,936 logits). */
class QwenVocabularyMaskTest {

    static final int MODEL_VOCAB = 151_936;
    static final Set<Integer> EOG = Set.of(151_643, 151_645);

    static Tokenizer qwen3() {
        return Tokenizer.fromTokenizerJson(Path.of(System.getProperty("qwen4j.testdata"))
                .resolve("tokenizer/qwen3/tokenizer.json"));
    }

    /**
     * Greedy decoding over random logits: each step takes the best allowed token. Every walk that ends must be
     * valid JSON for the schema; every few steps the mask is checked against trying each token on its own.
     */
    @Test
    void constrainedWalksOverRandomLogitsProduceValidJson() {
        Tokenizer tokenizer = qwen3();
        TokenVocabulary vocab = TokenVocabulary.of(tokenizer, MODEL_VOCAB, EOG);
        Grammar grammar = Grammar.fromJsonSchema(TestSchemas.PET);
        int finished = 0;
        int checkedMasks = 0;
        for (int seed = 0; seed < 12; seed++) {
            Random random = new Random(seed);
            GrammarConstraint c = (GrammarConstraint) grammar.newConstraint(vocab);
            int[] ids = new int[400];
            int n = 0;
            boolean ended = false;
            float[] logits = new float[MODEL_VOCAB];
            while (n < ids.length) {
                for (int i = 0; i < MODEL_VOCAB; i++) {
                    logits[i] = random.nextFloat();
                }
                if (n % 7 == 0) {
                    assertMaskIsExact(c, vocab);
                    checkedMasks++;
                }
                c.mask(logits, MODEL_VOCAB);
                int best = 0;
                for (int i = 1; i < MODEL_VOCAB; i++) {
                    if (logits[i] > logits[best]) {
                        best = i;
                    }
                }
                c.accept(best);
                if (EOG.contains(best)) {
                    ended = true;
                    break;
                }
                ids[n++] = best;
            }
            if (ended) {
                finished++;
                String text = tokenizer.decode(Arrays.copyOf(ids, n));
                assertNull(TestSchemas.petProblem(text), text);
            }
        }
        assertTrue(finished >= 6, "only " + finished + " of 12 walks ended within 400 tokens");
        assertTrue(checkedMasks > 50, "checked " + checkedMasks);
    }

    /** The mask must allow exactly the tokens whose bytes the grammar accepts here, plus EOG iff complete. */
    private static void assertMaskIsExact(GrammarConstraint c, TokenVocabulary vocab) {
        ConstraintEngine engine = c.engine();
        State state = c.state();
        long[] mask = engine.allowed(state);
        for (int id = 0; id < MODEL_VOCAB; id++) {
            boolean expected = EOG.contains(id) ? state.complete : engine.advance(state, id) != null;
            boolean actual = (mask[id >>> 6] >>> id & 1L) != 0;
            if (expected != actual) {
                assertEquals(expected, actual, "token " + id + " " + Arrays.toString(vocab.bytes(id)));
            }
        }
    }
}
