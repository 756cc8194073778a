package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** inspect's parameter counts against the tensors' element counts, read straight from the safetensors headers. */
class InspectCommandTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // model, generation, type, experts, active parameters derived by hand (0: all of them; negative: all
            // of them minus that many)
            "qwen1-tiny,    Qwen1,         dense, 0, 3476224",
            "qwen2-tiny,    Qwen1.5/2/2.5, dense, 0, 0",
            // routed experts: 2 layers x 8 experts x 3 matrices x 256 x 256 = 3,145,728; top-2 of 8 keeps a quarter:
            // 6,494,976 - 3,145,728 + 786,432 = 4,135,680
            "qwen2moe-tiny, Qwen1.5/2/2.5, MoE,   8, 4135680",
            "qwen3-tiny,    Qwen3,         dense, 0, 0",
            // qwen3moe: the same expert shapes, no shared expert: total - 3,145,728 + 786,432
            "qwen3moe-tiny, Qwen3,         MoE,   8, -2359296",
    })
    void parameterCountsAreTheSumOfTheTensors(String model, String generation, String type, int experts,
                                              long active) throws IOException {
        long expected = safetensorsElementCount(Path.of(CliRunner.model(model)).resolve("hf"));
        for (String file : new String[] {"hf", "model.gguf"}) {
            CliRunner r = CliRunner.run("inspect", "--model", CliRunner.model(model + "/" + file), "--json");
            assertEquals(0, r.exitCode(), r.err());
            JsonNode o = MAPPER.readTree(r.out());
            assertEquals(expected, o.get("parameters").longValue(), model + "/" + file);
            assertEquals(generation, o.get("generation").textValue());
            assertEquals(type, o.get("type").textValue());
            long wantActive = active == 0 ? expected : active < 0 ? expected + active : active;
            assertEquals(wantActive, o.get("active_parameters").longValue(), model + "/" + file + " active");
            if (experts > 0) {
                assertEquals(experts, o.get("experts").intValue());
                assertEquals(2, o.get("experts_per_token").intValue());
            }
        }
    }

    /** Sum over every safetensors file of the folder of the product of each tensor's shape. */
    private static long safetensorsElementCount(Path dir) throws IOException {
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.safetensors")) {
            for (Path f : files) {
                try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
                    byte[] len = new byte[8];
                    raf.readFully(len);
                    byte[] header = new byte[(int) ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong()];
                    raf.readFully(header);
                    JsonNode h = MAPPER.readTree(new String(header, StandardCharsets.UTF_8));
                    for (var e : h.properties()) {
                        if (e.getKey().equals("__metadata__")) {
                            continue;
                        }
                        long n = 1;
                        for (JsonNode d : e.getValue().get("shape")) {
                            n *= d.longValue();
                        }
                        total += n;
                    }
                }
            }
        }
        return total;
    }
}
