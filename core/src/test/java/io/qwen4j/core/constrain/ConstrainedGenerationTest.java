package io.qwen4j.core.constrain;

import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.GenerationResult;
import io.qwen4j.core.generate.Generator;
import io.qwen4j.core.generate.sampling.SamplerConfig;
import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.tokenizer.Tokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance test: sampled generations (temperature 1) of the tiny random-weight models under the test schema
 * either stop with text that parses and validates against the schema, or run out of tokens.
 */
class ConstrainedGenerationTest {

    private static final int SEEDS = 30;

    @ParameterizedTest
    @ValueSource(strings = {"qwen3-tiny", "qwen2-tiny"})
    void everySampledGenerationIsValidJsonForTheSchema(String model) {
        Path path = Path.of(System.getProperty("qwen4j.testdata")).resolve("models").resolve(model)
                .resolve("model.gguf");
        Grammar grammar = Grammar.fromJsonSchema(TestSchemas.PET);
        try (Model m = Model.load(path)) {
            Tokenizer tokenizer = m.tokenizer();
            int[] prompt = tokenizer.encode("Describe a pet as JSON:");
            for (int maxTokens : new int[] {300, 12}) {
                int stopped = 0;
                for (int seed = 0; seed < SEEDS; seed++) {
                    Session session = m.newSession(512);
                    TokenVocabulary vocab = TokenVocabulary.of(tokenizer, session.vocabularySize(),
                            m.endOfGenerationIds());
                    SamplerConfig sampler = SamplerConfig.builder().temperature(1).topK(0).topP(1).minP(0)
                            .seed(seed).build();
                    GenerateOptions options = new GenerateOptions(maxTokens, sampler, m.endOfGenerationIds(),
                            List.of()).withConstraint(() -> grammar.newConstraint(vocab));
                    GenerationResult r = Generator.generate(session, tokenizer, prompt, options, null);
                    String where = model + " seed " + seed + " max " + maxTokens + ": " + r.text();
                    if (r.finishReason() == FinishReason.STOP) {
                        stopped++;
                        assertTrue(m.endOfGenerationIds().contains(r.ids()[r.ids().length - 1]), where);
                        assertNull(TestSchemas.petProblem(r.text()), where);
                    } else {
                        assertEquals(FinishReason.LENGTH, r.finishReason(), where);
                        assertEquals(maxTokens, r.ids().length, where);
                        TokenConstraint replay = grammar.newConstraint(vocab);
                        for (int id : r.ids()) {
                            replay.accept(id); // throws if the tokens left the grammar
                        }
                    }
                }
                if (maxTokens == 300) {
                    // Every value in the schema is bounded, so with 300 tokens each generation can and does end.
                    assertEquals(SEEDS, stopped, model);
                } else {
                    assertTrue(stopped < SEEDS, model + ": 12 tokens should not be enough for most objects");
                }
            }
        }
    }
}
