package io.qwen4j.core.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qwen1's dynamic NTK and logn attention and YaRN, which the llama.cpp fixtures cannot check (llama.cpp has no
 * dynamic NTK or logn; the fixtures use no YaRN). The expected numbers below were worked out by hand (with a
 * calculator) from the formulas of the Qwen1 modeling code (get_ntk_alpha, RotaryEmbedding, logn_list) and of the
 * YaRN paper as transformers implements it (_compute_yarn_parameters); the arithmetic is in the comments.
 */
class PositionScalingTest {

    @TempDir
    Path tmp;

    @Test
    void ntkAlphaFollowsTheQwen1Formula() {
        QwenLongContext lc = new QwenLongContext(4096, true, true);
        // alpha = max(2^ceil(log2(len / 4096) + 1) - 1, 1)
        assertEquals(1, lc.ntkAlpha(100));   // log2(100/4096)+1 = -4.36 -> ceil -4 -> 2^-4 - 1 < 1 -> 1
        assertEquals(1, lc.ntkAlpha(4096));  // log2(1)+1 = 1 -> 2^1 - 1 = 1
        assertEquals(3, lc.ntkAlpha(4097));  // 1.00035 -> ceil 2 -> 3
        assertEquals(3, lc.ntkAlpha(8192));  // log2(2)+1 = 2 -> 3
        assertEquals(7, lc.ntkAlpha(8193));  // 2.00018 -> ceil 3 -> 7
        assertEquals(1, new QwenLongContext(4096, false, true).ntkAlpha(100_000), "use_dynamic_ntk false");
        // base * alpha^(d/(d-2)) with d = 64: 10000 * 3^(64/62) = 10000 * 3^1.0322581 = 31082.24
        assertEquals(31082.2367, QwenLongContext.scaledBase(10000, 3, 64), 1e-3);
        assertEquals(74534.8303, QwenLongContext.scaledBase(10000, 7, 64), 1e-3);
    }

    @Test
    void lognScalesQueriesOnlyPastSeqLength() {
        QwenLongContext lc = new QwenLongContext(4096, true, true);
        // logn_list[i - 1] = log(i) / log(4096) for 1-based i > 4096, else 1
        assertEquals(1f, lc.lognScale(0));
        assertEquals(1f, lc.lognScale(4095));            // i = 4096
        assertEquals(1.0000293f, lc.lognScale(4096), 1e-7f); // ln 4097 / ln 4096
        assertEquals(13f / 12f, lc.lognScale(8191), 1e-7f);  // log2 8192 / log2 4096 = 13/12
        assertEquals(1f, new QwenLongContext(4096, true, false).lognScale(8191), "use_logn_attn false");
    }

    @Test
    void yarnFrequenciesFollowThePaper() {
        // Qwen2.5/Qwen3 long-context setting: head_dim 128, theta 1e6, factor 4 over 32768, beta 32 / 1
        ModelConfig c = tinyQwen3(RopeScaling.yarn(4, 32768), 128);
        double[] inv = Rope.inverseFrequencies(c, 1);
        // correction dims: 128 ln(32768 / (32 * 2 pi)) / (2 ln 1e6) = 23.596 -> floor 23;
        //                  128 ln(32768 / (1 * 2 pi)) / (2 ln 1e6) = 39.651 -> ceil 40
        assertEquals(23.5959, Rope.correctionDim(32, 128, 1e6, 32768), 1e-4);
        assertEquals(39.6509, Rope.correctionDim(1, 128, 1e6, 32768), 1e-4);
        // below dim 23 the frequency is kept, from 40 on divided by 4, between them a linear ramp:
        // i = 30: ramp (30 - 23) / 17, kept share 10/17, so inv * (10/17 + 7/17 / 4) = inv * 47/68
        double[] base = new double[64];
        for (int i = 0; i < 64; i++) {
            base[i] = Math.pow(1e6, -2.0 * i / 128);
        }
        assertEquals(base[0], inv[0], 1e-15);
        assertEquals(base[23], inv[23], 1e-15);
        assertEquals(base[24] * (16.0 / 17 + 1.0 / 17 / 4), inv[24], 1e-15);
        assertEquals(base[30] * 47 / 68, inv[30], 1e-15);
        assertEquals(base[40] / 4, inv[40], 1e-15);
        assertEquals(base[63] / 4, inv[63], 1e-18);
        // attention factor 0.1 ln 4 + 1 = 1.1386294 scales cos and sin
        assertEquals(1.1386294, c.ropeScaling().cosSinScale(), 1e-7);
    }

    @Test
    void ropeRotatesTheHalvesWithTheScaledCosAndSin() {
        ModelConfig c = tinyQwen3(RopeScaling.yarn(4, 32768), 128);
        Rope rope = new Rope(c, 8, 1);
        double[] inv = Rope.inverseFrequencies(c, 1);
        float[] x = new float[128];
        for (int i = 0; i < 128; i++) {
            x[i] = (i % 7) - 3f;
        }
        float[] rotated = x.clone();
        rope.apply(rotated, 0, 1, 5);
        double m = 1.1386294361119891;
        for (int i : new int[] {0, 24, 30, 63}) {
            double a = 5 * inv[i];
            assertEquals(m * (x[i] * Math.cos(a) - x[i + 64] * Math.sin(a)), rotated[i], 2e-6);
            assertEquals(m * (x[i] * Math.sin(a) + x[i + 64] * Math.cos(a)), rotated[i + 64], 2e-6);
        }
    }

    @Test
    void linearScalingDividesEveryFrequency() {
        double[] plain = Rope.inverseFrequencies(tinyQwen3(RopeScaling.none(), 128), 1);
        double[] linear = Rope.inverseFrequencies(tinyQwen3(RopeScaling.linear(2), 128), 1);
        for (int i = 0; i < plain.length; i++) {
            assertEquals(plain[i] / 2, linear[i], 1e-18);
        }
    }

    @Test
    void bothConfigSpellingsGiveTheSameYarn() throws IOException {
        String base = Files.readString(Fixtures.MODELS.resolve("qwen3-tiny/hf/config.json"));
        Path a = tmp.resolve("a.json");
        Files.writeString(a, base.replace("\"rope_scaling\": null", "\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0, \"original_max_position_embeddings\": 32768}"));
        Path b = tmp.resolve("b.json");
        Files.writeString(b, base.replace("\"rope_scaling\": null,", "").replace("\"rope_theta\": 1000000.0,",
                "\"rope_parameters\": {\"rope_type\": \"yarn\", \"rope_theta\": 1000000.0, \"factor\": 4.0, \"original_max_position_embeddings\": 32768},"));
        Path legacy = tmp.resolve("c.json");
        Files.writeString(legacy, base.replace("\"rope_scaling\": null", "\"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0, \"original_max_position_embeddings\": 32768}"));
        RopeScaling want = RopeScaling.yarn(4, 32768);
        assertEquals(want, HfConfigReader.read(a).ropeScaling());
        assertEquals(want, HfConfigReader.read(b).ropeScaling());
        assertEquals(want, HfConfigReader.read(legacy).ropeScaling());
        assertEquals(1e6, HfConfigReader.read(b).ropeTheta());
    }

    @Test
    void ggufRopeScalingKeysAreRead() throws IOException {
        Path out = tmp.resolve("yarn.gguf");
        try (var src = io.qwen4j.core.gguf.GGUFFile.open(Fixtures.MODELS.resolve("qwen3-tiny/model.gguf"))) {
            var w = new io.qwen4j.core.gguf.GGUFWriter().putAll(src)
                    .putString("qwen3.rope.scaling.type", "yarn")
                    .putFloat32("qwen3.rope.scaling.factor", 4f)
                    .putUInt32("qwen3.rope.scaling.original_context_length", 32768);
            src.tensors().values().forEach(t -> w.addTensor(t.name(), t.type(), t.shape(), t.data()));
            w.write(out);
        }
        try (Model m = Model.load(out)) {
            assertEquals(RopeScaling.yarn(4, 32768), m.config().ropeScaling());
        }
        // and the run-time override replaces what the file says
        try (Model m = Model.load(out, RopeScaling.none(), null)) {
            assertEquals(RopeScaling.none(), m.config().ropeScaling());
        }
    }

    /** The Qwen1 fixture with seq_length cut to 8, so that a short input goes "past" it. */
    private Path qwen1WithShortSeqLength(boolean ntk, boolean logn) throws IOException {
        Path src = Fixtures.MODELS.resolve("qwen1-tiny/hf");
        Path dir = Files.createDirectories(tmp.resolve("qwen1-" + ntk + "-" + logn));
        for (String f : new String[] {"model.safetensors", "tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("config.json"), Files.readString(src.resolve("config.json"))
                .replace("\"seq_length\": 4096", "\"seq_length\": 8")
                .replace("\"use_dynamic_ntk\": true", "\"use_dynamic_ntk\": " + ntk)
                .replace("\"use_logn_attn\": true", "\"use_logn_attn\": " + logn));
        return dir;
    }

    @Test
    void qwen1PicksAlphaFromTheFirstInputAndKeepsIt() throws IOException {
        try (Model m = Model.load(qwen1WithShortSeqLength(true, false))) {
            Session s = m.newSession(64);
            s.ingest(1, 2, 3, 4, 5, 6, 7, 8);
            assertEquals(1, s.ntkAlpha(), "8 tokens fit seq_length 8");
            s.ingest(9, 10, 11); // decoding past seq_length keeps the cached alpha, as the reference does
            assertEquals(1, s.ntkAlpha());
            s.reset();
            s.ingest(1, 2, 3, 4, 5, 6, 7, 8, 9);
            assertEquals(3, s.ntkAlpha(), "a 9-token input over seq_length 8 gives alpha 3");
        }
    }

    @Test
    void qwen1LongContextTricksChangeOnlyPositionsPastSeqLength() throws IOException {
        int[] tokens = {39, 301, 385, 11, 847, 829, 374, 12, 99, 100, 101, 102};
        float[][] plain = logits(qwen1WithShortSeqLength(false, false), tokens);
        float[][] logn = logits(qwen1WithShortSeqLength(false, true), tokens);
        float[][] ntk = logits(qwen1WithShortSeqLength(true, false), tokens);
        // 1e-5, not 0: the same sums run once interpreted and once JIT-compiled (other summation order)
        for (int p = 0; p < 8; p++) {
            assertArrayEquals(plain[p], logn[p], 1e-5f, "logn leaves position " + p + " alone");
        }
        for (int p = 8; p < tokens.length; p++) {
            assertTrue(maxDiff(plain[p], logn[p]) > 1e-3, "logn scales position " + p);
        }
        // NTK changes the base for the whole sequence (12 tokens > 8 -> alpha 3), position 0 excepted (angle 0)
        assertArrayEquals(plain[0], ntk[0], 1e-5f);
        assertTrue(maxDiff(plain[5], ntk[5]) > 1e-3, "alpha 3 rotates position 5 differently");
    }

    private static float[][] logits(Path model, int[] tokens) {
        try (Model m = Model.load(model)) {
            float[][] out = new float[tokens.length][];
            m.newSessionWithAllLogits(tokens.length).ingestAll(tokens,
                    (i, l, off) -> out[i] = Arrays.copyOfRange(l, off, off + m.config().vocabSize()));
            return out;
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static ModelConfig tinyQwen3(RopeScaling scaling, int headDim) {
        return ModelConfig.builder(Architecture.QWEN3).hiddenSize(256).numHiddenLayers(1).numAttentionHeads(2)
                .numKeyValueHeads(1).headDim(headDim).intermediateSize(512).vocabSize(16).maxPositionEmbeddings(40960)
                .ropeTheta(1e6).qkNorm(true).ropeScaling(scaling).build();
    }
}
