package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OtherCommandsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String P2 = "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n";

    @TempDir
    Path tmp;

    private static JsonNode reference(String model) throws IOException {
        return MAPPER.readTree(Path.of(CliRunner.model(model)).resolve("reference.json").toFile());
    }

    @Test
    void tokenizeParsesSpecialTokensFromGgufAndFolder() throws IOException {
        JsonNode want = reference("qwen3-tiny").get("prompts").get(1).get("ids");
        for (String source : new String[] {"--model=" + CliRunner.model("qwen3-tiny/model.gguf"),
                "--tokenizer=" + CliRunner.model("qwen3-tiny/hf/tokenizer.json"),
                "--tokenizer=" + CliRunner.model("qwen3-tiny/hf")}) {
            CliRunner r = CliRunner.run("tokenize", source, "--json", P2);
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(want, MAPPER.readTree(r.out()).get("ids"), source);
        }
    }

    @Test
    void tokenizeJsonLinesKeepsOrder() throws IOException {
        JsonNode prompts = reference("qwen3-tiny").get("prompts");
        Path in = tmp.resolve("in.jsonl");
        StringBuilder sb = new StringBuilder();
        for (JsonNode p : prompts) {
            sb.append(MAPPER.writeValueAsString(java.util.Map.of("text", p.get("text").textValue()))).append('\n');
        }
        Files.writeString(in, sb);
        CliRunner r = CliRunner.run("tokenize", "--tokenizer", CliRunner.model("qwen3-tiny/hf"), "--jsonl", in.toString());
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(prompts.size(), lines.length);
        for (int i = 0; i < lines.length; i++) {
            assertEquals(prompts.get(i).get("ids"), MAPPER.readTree(lines[i]).get("ids"));
        }
    }

    @Test
    void decodeRoundTrips() throws IOException {
        CliRunner r = CliRunner.run("tokenize", "--model", CliRunner.model("qwen3-tiny/model.gguf"), "--decode", "--json",
                "4097, 872, 198, 3838, 374, 220, 17, 10, 17, 30, 4098");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("<|im_start|>user\nWhat is 2+2?<|im_end|>", MAPPER.readTree(r.out()).get("text").textValue());
    }

    @Test
    void inspectDescribesTheModel() throws IOException {
        CliRunner r = CliRunner.run("inspect", "--model", CliRunner.model("qwen3-tiny/quants/Q4_0/model.gguf"), "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode o = MAPPER.readTree(r.out());
        assertEquals("qwen3", o.get("architecture").textValue());
        assertEquals(2, o.get("layers").intValue());
        assertEquals(128, o.get("head_dim").intValue());
        assertEquals(4096, o.get("context_length").intValue());
        assertEquals(4224, o.get("vocab_size").intValue());
        assertEquals(1, o.get("tensor_types").get("Q6_K").intValue());
        assertEquals(14, o.get("tensor_types").get("Q4_0").intValue());
        assertTrue(o.get("chat_template").booleanValue());
        assertTrue(o.get("tied_embeddings").booleanValue());
    }

    @Test
    void logitsFileMatchesTheFixtureRows() throws IOException {
        JsonNode p1 = reference("qwen3-tiny").get("prompts").get(0);
        int[] ids = Fixture.ints(p1.get("ids"));
        Path out = tmp.resolve("p1.f32");
        CliRunner r = CliRunner.run("logits", "--model", CliRunner.model("qwen3-tiny/hf"), "--ids",
                String.join(",", java.util.Arrays.stream(ids).mapToObj(Integer::toString).toList()), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        FloatBuf got = FloatBuf.read(out);
        FloatBuf want = FloatBuf.read(Path.of(CliRunner.model("qwen3-tiny")).resolve("logits/P1.f32"));
        assertEquals(ids.length * 4224, got.values.length);
        double max = 0;
        for (int i = 0; i < got.values.length; i++) {
            max = Math.max(max, Math.abs(got.values[i] - want.values[i]));
        }
        assertTrue(max <= 1e-3, "max |diff| " + max);
    }

    @Test
    void errorsAreOneLineWithTheFileName() throws IOException {
        Path missing = tmp.resolve("missing.gguf");
        CliRunner r = CliRunner.run("generate", "--model", missing.toString(), "--raw", "--prompt", "hi");
        assertEquals(1, r.exitCode());
        assertEquals("error: " + missing + ": file not found\n", r.err());

        Path text = tmp.resolve("notes.gguf");
        Files.writeString(text, "this is not a model");
        r = CliRunner.run("inspect", "--model", text.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("error: " + text + ": "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());

        r = CliRunner.run("tokenize", "--model", CliRunner.model("qwen3-tiny/model.gguf"), "--decode", "12,x");
        assertEquals(1, r.exitCode());
        assertEquals("error: not a token id: 'x'\n", r.err());

        Path out = tmp.resolve("never.f32");
        r = CliRunner.run("logits", "--model", CliRunner.model("qwen3-tiny/model.gguf"), "--ids", "1,99999", "--out", out.toString());
        assertEquals(1, r.exitCode());
        assertEquals("error: token id 99999 at index 1 is outside the vocabulary (0..4223)\n", r.err());
        assertFalse(Files.exists(out), "no partial output file");
    }

    /** Little-endian float32 file. */
    record FloatBuf(float[] values) {
        static FloatBuf read(Path p) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[b.remaining() / 4];
            b.asFloatBuffer().get(v);
            return new FloatBuf(v);
        }
    }

    static final class Fixture {
        static int[] ints(JsonNode a) {
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).intValue();
            }
            return out;
        }
    }
}
