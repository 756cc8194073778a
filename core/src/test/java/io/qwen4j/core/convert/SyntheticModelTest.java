package io.qwen4j.core.convert;

import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.model.Architecture;
import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.ModelConfig;
import io.qwen4j.core.model.MoeConfig;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.model.TokenizerLoader;
import io.qwen4j.core.tensor.Tensor;
import io.qwen4j.core.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticModelTest {

    @TempDir
    Path tmp;

    @Test
    void presetsCountTheParametersOfTheOfficialCheckpoints() {
        assertEquals(596_049_920L, SyntheticModel.parameterCount(SynthPreset.QWEN3_0_6B, 0));
        assertEquals(494_032_768L, SyntheticModel.parameterCount(SynthPreset.QWEN2_5_0_5B, 0));
        assertEquals(30_532_122_624L, SyntheticModel.parameterCount(SynthPreset.QWEN3_30B_A3B, 0));
        // one layer of Qwen3-0.6B: 15,730,944 parameters; the rest is embeddings and the final norm
        assertEquals(151936L * 1024 + 15_730_944L + 1024, SyntheticModel.parameterCount(SynthPreset.QWEN3_0_6B, 1));
        assertThrows(IllegalArgumentException.class, () -> SynthPreset.QWEN3_0_6B.config(29));
    }

    /** A narrow Qwen3 with the real vocabulary, so the test writes megabytes, not the preset's gigabytes. */
    private static ModelConfig small(boolean moe) {
        ModelConfig.Builder b = ModelConfig.builder(moe ? Architecture.QWEN3MOE : Architecture.QWEN3)
                .hiddenSize(64).numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).headDim(32)
                .intermediateSize(128).vocabSize(151936).maxPositionEmbeddings(4096).ropeTheta(1e6).qkNorm(true)
                .tieWordEmbeddings(!moe);
        if (moe) {
            b.moe(new MoeConfig(4, 2, 32, 0, true, 1, Set.of()));
        }
        return b.build();
    }

    @Test
    void writesACompleteModelThatRuns() throws IOException {
        Path out = tmp.resolve("s.gguf");
        SyntheticModel.write(small(false), true, "small", FileType.F32, 7, out, ConversionProgress.NONE);
        try (GGUFFile f = GGUFFile.open(out)) {
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            int[] types = f.getIntArray("tokenizer.ggml.token_type");
            assertEquals(151936, tokens.length);
            assertEquals("<|im_end|>", tokens[151645]);
            assertEquals(TokenizerMetadata.CONTROL, types[151645]);
            assertEquals(TokenizerMetadata.USER_DEFINED, types[151667], tokens[151667]); // <think>
            assertEquals("[PAD151669]", tokens[151669]);
            assertEquals(TokenizerMetadata.UNUSED, types[151935]);
            assertEquals(151_387, f.getStringArray("tokenizer.ggml.merges").length);
            assertEquals(151645, f.getInt("tokenizer.ggml.eos_token_id"));
            assertTrue(f.getString("tokenizer.chat_template").contains("<think>"));
            assertEquals(32, f.getInt("qwen3.attention.key_length"));
            Tensor norm = f.tensor("blk.0.attn_norm.weight");
            float[] w = Tensors.toFloats(norm);
            double mean = 0;
            for (float v : w) {
                mean += v / w.length;
                assertTrue(v > 1 - 0.18 && v < 1 + 0.18, "uniform 1 +- 0.1 sqrt(3): " + v);
            }
            assertEquals(1, mean, 0.05);
        }
        var reference = TokenizerLoader.load(HfConverterTest.MODELS.getParent().resolve("tokenizer/qwen3/tokenizer.json"));
        try (Model m = Model.load(out)) {
            String text = "Hello, 世界! <|im_start|>user";
            assertArrayEquals(reference.encode(text), m.tokenizer().encode(text));
            Session s = m.newSession(16);
            float[] logits = s.ingest(m.tokenizer().encode(text));
            double sumSq = 0;
            for (int i = 0; i < m.config().vocabSize(); i++) {
                assertTrue(Float.isFinite(logits[i]));
                sumSq += logits[i] * logits[i];
            }
            assertTrue(sumSq > 0);
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherWeights() throws IOException {
        Path a = tmp.resolve("a.gguf");
        Path b = tmp.resolve("b.gguf");
        Path c = tmp.resolve("c.gguf");
        SyntheticModel.write(small(true), true, "m", FileType.F32, 1, a, ConversionProgress.NONE);
        SyntheticModel.write(small(true), true, "m", FileType.F32, 1, b, ConversionProgress.NONE);
        SyntheticModel.write(small(true), true, "m", FileType.F32, 2, c, ConversionProgress.NONE);
        assertEquals(-1, Files.mismatch(a, b));
        try (GGUFFile fa = GGUFFile.open(a); GGUFFile fc = GGUFFile.open(c)) {
            assertEquals(fa.tensors().keySet(), fc.tensors().keySet());
            assertArrayEquals(new long[] {4, 32, 64}, fa.tensor("blk.1.ffn_gate_exps.weight").shape());
            assertArrayEquals(new long[] {4, 64, 32}, fa.tensor("blk.1.ffn_down_exps.weight").shape());
            assertTrue(fa.findTensor("output.weight").isPresent());
            assertNotEquals(-1, fa.tensor("output.weight").data().mismatch(fc.tensor("output.weight").data()));
        }
    }
}
