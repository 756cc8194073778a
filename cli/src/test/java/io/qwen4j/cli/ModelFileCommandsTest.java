package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.convert.SynthPreset;
import io.qwen4j.core.convert.SyntheticModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** convert, quantize, synth and perplexity driven as a user drives them. */
class ModelFileCommandsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path tmp;

    private static JsonNode inspect(Path model) throws IOException {
        CliRunner r = CliRunner.run("inspect", "--model", model.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        return MAPPER.readTree(r.out());
    }

    @Test
    void convertThenQuantize() throws IOException {
        Path f16 = tmp.resolve("m-f16.gguf");
        CliRunner r = CliRunner.run("convert", CliRunner.model("qwen2moe-tiny/hf"), "-o", f16.toString(), "--type", "f16");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("wrote " + f16 + " (F16, "), r.out());
        JsonNode converted = inspect(f16);
        JsonNode source = inspect(Path.of(CliRunner.model("qwen2moe-tiny/hf")));
        assertEquals(source.get("parameters"), converted.get("parameters"));
        assertEquals("qwen2moe", converted.get("architecture").textValue());
        // 2 norms, 3 biases, the router and the shared expert's gate stay F32: 2 layers x 7 + output_norm
        assertEquals(15, converted.get("tensor_types").get("F32").intValue());

        Path q = tmp.resolve("m-q6k.gguf");
        r = CliRunner.run("quantize", f16.toString(), "-o", q.toString(), "--type", "Q6_K");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode quantized = inspect(q);
        assertEquals(source.get("parameters"), quantized.get("parameters"));
        // 8 experts: attn_k and attn_v in Q8_0 (llama-quantize's rule), the other 2 x 8 + 2 matrices Q6_K; the
        // shared expert's gate [1, 256] counts as one-dimensional for ggml and stays F32
        assertEquals(4, quantized.get("tensor_types").get("Q8_0").intValue(), quantized.toString());
        assertEquals(18, quantized.get("tensor_types").get("Q6_K").intValue(), quantized.toString());
        assertEquals(15, quantized.get("tensor_types").get("F32").intValue(), quantized.toString());
    }

    @Test
    void badInputIsOneLineAndNoFile() {
        Path out = tmp.resolve("x.gguf");
        CliRunner r = CliRunner.run("convert", CliRunner.model("qwen3-tiny/hf"), "-o", out.toString(), "--type", "Q7");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--type Q7 is not one of F32, F16, BF16"), r.err());
        r = CliRunner.run("convert", CliRunner.model("qwen3-tiny/model.gguf"), "-o", out.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("not a folder"), r.err());
        r = CliRunner.run("synth", "qwen9-1b", "-o", out.toString());
        assertTrue(r.err().contains("unknown preset 'qwen9-1b' (presets: qwen3-0.6b, qwen2.5-0.5b, qwen3-30b-a3b)"), r.err());
        r = CliRunner.run("synth", "qwen3-0.6b", "-o", out.toString(), "--layers", "29");
        assertTrue(r.err().contains("--layers must be in 1..28"), r.err());
        r = CliRunner.run("quantize", CliRunner.model("qwen3-tiny/model.gguf"), "-o",
                CliRunner.model("qwen3-tiny/model.gguf"), "--type", "Q8_0");
        assertTrue(r.err().contains("must not be the input"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void synthOneLayerOfQwen3AndGenerate() throws IOException {
        Path out = tmp.resolve("s.gguf");
        CliRunner r = CliRunner.run("synth", "qwen3-0.6b", "-o", out.toString(), "--type", "Q4_0", "--layers", "1",
                "--seed", "3");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode o = inspect(out);
        // 151,936 x 1,024 tied embeddings + one layer of 15,730,944 + the final norm
        assertEquals(171_314_432L, o.get("parameters").longValue());
        assertEquals(SyntheticModel.parameterCount(SynthPreset.QWEN3_0_6B, 1), o.get("parameters").longValue());
        assertEquals(1, o.get("layers").intValue());
        assertEquals(16, o.get("attention_heads").intValue());
        assertEquals(8, o.get("kv_heads").intValue());
        assertEquals(128, o.get("head_dim").intValue());
        assertTrue(o.get("tied_embeddings").booleanValue());
        assertTrue(o.get("chat_template").booleanValue());
        r = CliRunner.run("generate", "--model", out.toString(), "--prompt", "hi", "-n", "4", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(4, MAPPER.readTree(r.out()).get("ids").size());
    }

    @Test
    void perplexityAndKlDivergenceAgainstASavedBase() throws IOException {
        Path text = tmp.resolve("text.txt");
        JsonNode ref = MAPPER.readTree(Path.of(CliRunner.model("qwen3-tiny/reference.json")).toFile());
        StringBuilder b = new StringBuilder();
        ref.get("prompts").forEach(p -> b.append(p.get("text").textValue()).append('\n'));
        Files.writeString(text, b.toString());
        Path logits = tmp.resolve("base.logits");
        CliRunner r = CliRunner.run("perplexity", "--model", CliRunner.model("qwen3-tiny/model.gguf"), "--file",
                text.toString(), "--ctx-size", "32", "--save-logits", logits.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode base = MAPPER.readTree(r.out());
        int chunks = base.get("chunks").intValue();
        assertEquals(base.get("tokens").intValue() / 32, chunks);
        assertEquals(chunks * 15, base.get("scored_tokens").intValue());
        assertEquals(Math.exp(base.get("mean_nll").doubleValue()), base.get("perplexity").doubleValue(), 1e-9);
        assertEquals(20 + 4L * 4224 * chunks * 15 + 4L * 32 * chunks + 4, Files.size(logits));

        r = CliRunner.run("perplexity", "--model", CliRunner.model("qwen3-tiny/quants/Q8_0/model.gguf"), "--file",
                text.toString(), "--kl-divergence-base", logits.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode q = MAPPER.readTree(r.out());
        assertEquals(32, q.get("ctx_size").intValue(), "the context of the base file");
        assertEquals(base.get("perplexity").doubleValue(), q.get("base_perplexity").doubleValue(),
                1e-5 * base.get("perplexity").doubleValue());
        double kl = q.get("mean_kl_divergence").doubleValue();
        assertTrue(kl > 1e-4 && kl < 0.5, "Q8_0 moves the distributions a little: " + kl);
        assertTrue(q.get("top1_agreement").doubleValue() > 0.8, q.toString()); // measured 0.925, mean KL 0.0019
        assertEquals(q.get("perplexity").doubleValue() / q.get("base_perplexity").doubleValue(),
                q.get("ppl_ratio").doubleValue(), 1e-9);

        r = CliRunner.run("perplexity", "--model", CliRunner.model("qwen3-tiny/model.gguf"), "--file", text.toString(),
                "--kl-divergence-base", logits.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("KL divergence mean 0.000000, max 0.000000; same top token 100.00%"), r.out());
        double printed = Double.parseDouble(r.out().split(" ")[1]);
        assertEquals(base.get("perplexity").doubleValue(), printed, 1e-5 * printed);

        r = CliRunner.run("perplexity", "--model", CliRunner.model("qwen3-tiny/model.gguf"), "--file", text.toString(),
                "--ctx-size", "1024");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("fewer than one context of 1024"), r.err());
    }
}
