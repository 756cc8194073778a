package io.qwen4j.core.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.tensor.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Converted files compute what their source folder computes: teacher-forced on the fixture prompts, an F16 file
 * gives exactly the hf/ folder's logits, and a Q8_0 file gives llama.cpp's logits for that same file within the
 * fixtures README's quantisation tolerance (and is as close to its source as llama.cpp's run of it is). And the
 * quantised bytes are llama-quantize's.
 */
class ConvertFidelityTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            // model, type, max |diff|, mean |diff|, argmax agreement per prompt. F16 holds the BF16 weights exactly.
            "qwen1-tiny,    F16,  0.03, 0.005, 1.0",
            "qwen2-tiny,    F16,  0.03, 0.005, 1.0",
            "qwen2moe-tiny, F16,  0.03, 0.005, 1.0",
            "qwen3-tiny,    F16,  0.03, 0.005, 1.0",
            "qwen3moe-tiny, F16,  0.03, 0.005, 1.0",
            // Q8_0 against the unquantised source measures the quantisation itself, not the engine: llama.cpp's own
            // run of these same files is as far from the source (its converted-Q8_0 rows against its F32 reference
            // rows: qwen1 0.48 / 0.060, qwen2 1.26 / 0.088, qwen2moe 2.03 / 0.111, qwen3 0.48 / 0.062, qwen3moe
            // 2.37 / 0.100, argmax 82-97%). The engine's own tolerance, 0.6 / 0.09 / 75% against llama.cpp's run of
            // the same file, is checked below. These bounds sit just above what we measure over every row (both
            // engines round matmul inputs to 8 bits, see ActivationRounding): qwen1 0.65 / 0.064, qwen2 1.35 / 0.099
            // (one row of P2), qwen2moe 5.5 / 0.133 and qwen3moe 6.6 / 0.113 (the Q8_0 error sends some tokens to
            // another expert: the README's 2nd/3rd router logit gap goes down to 0.0007), qwen3 0.48 / 0.067.
            "qwen1-tiny,    Q8_0, 0.75, 0.08,  0.75",
            "qwen2-tiny,    Q8_0, 1.5,  0.11,  0.75",
            "qwen2moe-tiny, Q8_0, 6.0,  0.15,  0.75",
            "qwen3-tiny,    Q8_0, 0.6,  0.08,  0.75",
            "qwen3moe-tiny, Q8_0, 7.5,  0.13,  0.75",
    })
    void convertedFileReproducesTheSourceLogits(String model, String type, double maxBound, double meanBound,
                                                 double argmaxBound) throws IOException {
        Path hf = HfConverterTest.MODELS.resolve(model + "/hf");
        Path out = tmp.resolve(model + "-" + type + ".gguf");
        HfConverter.convert(hf, out, FileType.parse(type).orElseThrow(), null, ConversionProgress.NONE);
        List<int[]> prompts = prompts(model);
        try (Model source = Model.load(hf); Model converted = Model.load(out)) {
            double max = 0;
            double sum = 0;
            long count = 0;
            for (int[] seq : prompts) {
                float[][] want = logits(source, seq);
                float[][] got = logits(converted, seq);
                int agree = 0;
                for (int r = 0; r < want.length; r++) {
                    for (int v = 0; v < want[r].length; v++) {
                        double d = Math.abs(want[r][v] - got[r][v]);
                        max = Math.max(max, d);
                        sum += d;
                        count++;
                    }
                    if (argmax(want[r]) == argmax(got[r])) {
                        agree++;
                    }
                }
                double agreement = (double) agree / want.length;
                assertTrue(agreement >= argmaxBound, model + " " + type + ": argmax agreement " + agreement);
            }
            System.out.printf("%s %s: max |diff| %.4f, mean %.5f%n", model, type, max, sum / count);
            assertTrue(max <= maxBound, model + " " + type + ": max " + max);
            assertTrue(sum / count <= meanBound, model + " " + type + ": mean " + sum / count);
        }
    }

    /**
     * The quantisation tolerance proper (testdata/models/README.md: our run of a quantised file against llama.cpp's
     * run of the same file): each model converted to Q8_0 by us, run by us, against llama.cpp's logits for that
     * very file (testdata/models/MODEL/converted-Q8_0, made with llama.cpp at the fixtures' commit; the sha256 pins
     * the file the reference was computed from). Bounds: the README's for Q8_0, max 0.6, mean 0.09, argmax agreement
     * 75%. Measured: qwen1 0.22 / 0.025, qwen2 0.30 / 0.030, qwen2moe 0.32 / 0.019, qwen3 0.29 / 0.019, qwen3moe
     * 0.41 / 0.026. Before the inputs were rounded as llama.cpp rounds them (ActivationRounding) the MoE models
     * were 1.9 and 2.3 off: a few tokens went to another expert than in llama.cpp.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen1-tiny", "qwen2-tiny", "qwen2moe-tiny", "qwen3-tiny", "qwen3moe-tiny"})
    void convertedQ8_0ComputesWhatLlamaCppComputesFromIt(String model) throws Exception {
        Path refDir = HfConverterTest.MODELS.resolve(model + "/converted-Q8_0");
        JsonNode ref = new ObjectMapper().readTree(refDir.resolve("reference.json").toFile());
        Path out = tmp.resolve(model + "-Q8_0.gguf");
        HfConverter.convert(HfConverterTest.MODELS.resolve(model + "/hf"), out, FileType.parse("Q8_0").orElseThrow(), null,
                ConversionProgress.NONE);
        assertEquals(ref.get("gguf_sha256").textValue(), sha256(out), "the converted file is the one llama.cpp ran");
        int vocab = ref.get("n_vocab").intValue();
        double max = 0;
        double sum = 0;
        long count = 0;
        try (Model m = Model.load(out)) {
            for (JsonNode p : ref.get("prompts")) {
                int[] seq = IntStream.concat(IntStream.of(ints(p.get("ids"))), IntStream.of(ints(p.get("greedy_ids"))))
                        .toArray();
                float[][] ours = logits(m, Arrays.copyOf(seq, seq.length - 1));
                int[] positions = ints(p.get("positions"));
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(
                        refDir.resolve(p.get("logits_file").textValue()))).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                int agree = 0;
                for (int r = 0; r < positions.length; r++) {
                    float[] want = new float[vocab];
                    b.asFloatBuffer().position(r * vocab).get(want);
                    float[] got = ours[positions[r]];
                    for (int v = 0; v < vocab; v++) {
                        double d = Math.abs(want[v] - got[v]);
                        max = Math.max(max, d);
                        sum += d;
                        count++;
                    }
                    if (argmax(want) == argmax(got)) {
                        agree++;
                    }
                }
                double agreement = (double) agree / positions.length;
                assertTrue(agreement >= 0.75, model + " " + p.get("name").textValue() + ": argmax agreement " + agreement);
            }
        }
        System.out.printf("%s converted Q8_0 vs llama.cpp on the same file: max |diff| %.4f, mean %.5f%n", model, max,
                sum / count);
        assertTrue(max <= 0.6, model + ": max " + max);
        assertTrue(sum / count <= 0.09, model + ": mean " + sum / count);
    }

    private static String sha256(Path file) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(file));
        return java.util.HexFormat.of().formatHex(digest);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_K_M", "Q6_K", "Q5_K_M", "Q2_K"})
    void quantisedTensorsAreLlamaQuantizesBytes(String type) throws IOException {
        // the fixtures were quantised from an F32 file of the BF16 values; both our paths see the same floats
        Path qwen3 = HfConverterTest.MODELS.resolve("qwen3-tiny");
        Path converted = tmp.resolve("c.gguf");
        Path requantized = tmp.resolve("q.gguf");
        FileType ft = FileType.parse(type).orElseThrow();
        HfConverter.convert(qwen3.resolve("hf"), converted, ft, null, ConversionProgress.NONE);
        GgufQuantizer.quantize(qwen3.resolve("model.gguf"), requantized, ft, ConversionProgress.NONE);
        try (GGUFFile want = GGUFFile.open(qwen3.resolve("quants/" + type + "/model.gguf"));
             GGUFFile c = GGUFFile.open(converted); GGUFFile q = GGUFFile.open(requantized)) {
            for (GGUFFile got : List.of(c, q)) {
                assertEquals(want.tensors().keySet(), got.tensors().keySet());
                assertEquals(ft.id, got.getInt("general.file_type"));
                for (Tensor w : want.tensors().values()) {
                    Tensor g = got.tensor(w.name());
                    assertEquals(w.type(), g.type(), w.name());
                    assertEquals(-1, w.data().mismatch(g.data()), w.name() + " differs from llama-quantize's");
                }
            }
        }
    }

    private static List<int[]> prompts(String model) throws IOException {
        JsonNode ref = new ObjectMapper().readTree(HfConverterTest.MODELS.resolve(model + "/reference.json").toFile());
        List<int[]> out = new ArrayList<>();
        for (JsonNode p : ref.get("prompts")) {
            int[] ids = ints(p.get("ids"));
            int[] greedy = ints(p.get("greedy_ids"));
            int[] seq = IntStream.concat(IntStream.of(ids), IntStream.of(greedy)).toArray();
            out.add(Arrays.copyOf(seq, seq.length - 1));
        }
        return out;
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).intValue();
        }
        return out;
    }

    private static float[][] logits(Model m, int[] seq) {
        int vocab = m.config().vocabSize();
        float[][] rows = new float[seq.length][];
        Session s = m.newSessionWithAllLogits(seq.length);
        s.ingestAll(seq, (i, logits, off) -> rows[i] = Arrays.copyOfRange(logits, off, off + vocab));
        return rows;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
