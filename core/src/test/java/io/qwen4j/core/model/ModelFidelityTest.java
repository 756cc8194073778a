package io.qwen4j.core.model;

import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.GenerationResult;
import io.qwen4j.core.generate.Generator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiny fixture models against llama.cpp's F32 reference (testdata/models/README.md, "Recommended tolerances"):
 * every logit within 1e-3, every argmax and all 24 greedy ids identical, from the GGUF file and from the HF folder.
 */
class ModelFidelityTest {

    /** The fixtures' bound for an F32-computing engine; their own float64 pass lands within 1.3e-4. */
    static final double F32_TOLERANCE = 1e-3;

    private static final StringBuilder REPORT = new StringBuilder();

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
            "qwen1-tiny, model.gguf",
            "qwen1-tiny, hf",
            "qwen2-tiny, model.gguf",
            "qwen2-tiny, hf",
            "qwen2moe-tiny, model.gguf",
            "qwen2moe-tiny, hf",
            "qwen3-tiny, model.gguf",
            "qwen3-tiny, hf",
            "qwen3moe-tiny, model.gguf",
            "qwen3moe-tiny, hf",
            "qwen3moe-tiny, hf-sharded",
    })
    void teacherForcedLogitsMatchTheReference(String model, String file) {
        Path dir = Fixtures.MODELS.resolve(model);
        Fixtures.Reference ref = Fixtures.reference(dir);
        try (Model m = Model.load(dir.resolve(file))) {
            assertEquals(ref.vocab(), m.config().vocabSize());
            assertEquals(new TreeSet<>(ref.eogIds()), new TreeSet<>(m.endOfGenerationIds()), "end-of-generation ids");
            double worst = 0;
            for (Fixtures.Prompt p : ref.prompts()) {
                TeacherForcing.Result r = TeacherForcing.compare(m, p, ref.vocab());
                worst = Math.max(worst, r.maxAbsDiff());
                assertTrue(r.maxAbsDiff() <= F32_TOLERANCE, model + "/" + file + " " + p.name()
                        + ": max |logit diff| " + r.maxAbsDiff() + " > " + F32_TOLERANCE);
                assertEquals(r.rows(), r.argmaxAgreements(), p.name() + ": every argmax must agree");
            }
            REPORT.append(String.format("%s/%s teacher-forced max |diff| %.3g%n", model, file, worst));
        }
    }

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
            "qwen1-tiny, model.gguf",
            "qwen1-tiny, hf",
            "qwen2-tiny, model.gguf",
            "qwen2-tiny, hf",
            "qwen2moe-tiny, model.gguf",
            "qwen2moe-tiny, hf",
            "qwen3-tiny, model.gguf",
            "qwen3-tiny, hf",
            "qwen3moe-tiny, model.gguf",
            "qwen3moe-tiny, hf",
            "qwen3moe-tiny, hf-sharded",
            "qwen3-tiny/quants/F16, model.gguf",
    })
    void greedyContinuationsAreIdentical(String model, String file) {
        Path dir = Fixtures.MODELS.resolve(model);
        Fixtures.Reference ref = Fixtures.reference(dir);
        try (Model m = Model.load(dir.resolve(file))) {
            for (Fixtures.Prompt p : ref.prompts()) {
                var session = m.newSession(512);
                // the reference does not stop at end-of-generation tokens: neither do we here
                GenerationResult r = Generator.generate(session, m.tokenizer(), p.ids(),
                        GenerateOptions.greedy(p.greedyIds().length, Set.of()), null);
                assertArrayEquals(p.greedyIds(), r.ids(), model + "/" + file + " " + p.name() + " greedy ids");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void generationStopsAtAStopTokenAndAtTheTokenLimit() {
        Fixtures.Reference ref = Fixtures.reference(Fixtures.MODELS.resolve("qwen3-tiny"));
        Fixtures.Prompt p1 = ref.prompts().get(0);
        int stop = p1.greedyIds()[5]; // 1377, not among the five before it
        for (int k = 0; k < 5; k++) {
            assertTrue(p1.greedyIds()[k] != stop);
        }
        try (Model m = Model.load(Fixtures.MODELS.resolve("qwen3-tiny/model.gguf"))) {
            GenerationResult r = Generator.generate(m.newSession(64), m.tokenizer(), p1.ids(),
                    GenerateOptions.greedy(24, Set.of(stop)), null);
            assertArrayEquals(java.util.Arrays.copyOf(p1.greedyIds(), 6), r.ids(), "the stop token ends the ids");
            assertEquals(io.qwen4j.core.generate.FinishReason.STOP, r.finishReason());
            assertEquals(m.tokenizer().decode(java.util.Arrays.copyOf(p1.greedyIds(), 5)), r.text(),
                    "the stop token is not part of the text");

            r = Generator.generate(m.newSession(64), m.tokenizer(), p1.ids(), GenerateOptions.greedy(3, Set.of(stop)), null);
            assertArrayEquals(java.util.Arrays.copyOf(p1.greedyIds(), 3), r.ids());
            assertEquals(io.qwen4j.core.generate.FinishReason.LENGTH, r.finishReason());

            // the context ends the generation too: 7 prompt tokens + 3 in a context of 10
            r = Generator.generate(m.newSession(10), m.tokenizer(), p1.ids(), GenerateOptions.greedy(24, Set.of()), null);
            assertEquals(3, r.ids().length);
            assertEquals(io.qwen4j.core.generate.FinishReason.LENGTH, r.finishReason());
        }
    }

    /** A Qwen1 folder as Qwen-7B ships it: qwen.tiktoken instead of tokenizer.json. */
    @org.junit.jupiter.api.Test
    void qwen1FolderWithTiktokenTokenizer(@org.junit.jupiter.api.io.TempDir Path tmp) throws java.io.IOException {
        Path src = Fixtures.MODELS.resolve("qwen1-tiny");
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer_config.json"}) {
            java.nio.file.Files.copy(src.resolve("hf").resolve(f), tmp.resolve(f));
        }
        java.nio.file.Files.copy(src.resolve("tiktoken/qwen.tiktoken"), tmp.resolve("qwen.tiktoken"));
        Fixtures.Reference ref = Fixtures.reference(src);
        try (Model m = Model.load(tmp)) {
            for (Fixtures.Prompt p : ref.prompts()) {
                assertArrayEquals(p.ids(), m.tokenizer().encode(m.tokenizer().decode(p.ids())), p.name());
                GenerationResult r = Generator.generate(m.newSession(512), m.tokenizer(), p.ids(),
                        GenerateOptions.greedy(p.greedyIds().length, Set.of()), null);
                assertArrayEquals(p.greedyIds(), r.ids(), p.name());
            }
        }
    }

    @AfterAll
    static void printReport() {
        System.out.print(REPORT);
    }
}
