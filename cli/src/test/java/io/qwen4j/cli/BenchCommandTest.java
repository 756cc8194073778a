package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench command's output shape (speed itself is measured, never asserted). */
class BenchCommandTest {

    @Test
    void jsonHasLlamaBenchsFields() throws IOException {
        CliRunner r = CliRunner.run("bench", "--model", CliRunner.model("qwen3-tiny/model.gguf"), "-p", "16", "-n", "4",
                "-r", "2", "-t", "1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertEquals(1, o.get("threads").intValue());
        assertEquals(16, o.get("n_prompt").intValue());
        assertEquals(4, o.get("n_gen").intValue());
        for (String test : new String[] {"prompt_tps", "gen_tps"}) {
            assertTrue(o.get(test).get("mean").doubleValue() > 0, test);
            assertTrue(o.get(test).get("std").doubleValue() >= 0, test);
        }
        assertTrue(o.get("peak_rss_bytes").longValue() > o.get("model_bytes").longValue());
        // qwen3-tiny ties its output to the embedding, so decode reads every weight
        assertEquals(o.get("model_bytes").longValue(), o.get("weight_bytes_per_token").longValue());
        assertEquals(o.get("weight_bytes_per_token").doubleValue() * o.get("gen_tps").get("mean").doubleValue(),
                o.get("decode_bytes_per_s").doubleValue(), 1e-6 * o.get("decode_bytes_per_s").doubleValue());
    }

    @Test
    void bandwidthShareIsDecodeBytesOverTheMeasuredBandwidth() throws IOException {
        CliRunner r = CliRunner.run("bench", "--model", CliRunner.model("qwen3-tiny/model.gguf"), "-p", "0", "-n", "4",
                "-r", "1", "-t", "2", "--json", "--bandwidth"); // two threads: the pool's workers read the buffer too
        assertEquals(0, r.exitCode(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        double bandwidth = o.get("read_bandwidth_bytes_per_s").doubleValue();
        assertTrue(bandwidth > 1e8, "read bandwidth " + bandwidth);
        assertEquals(o.get("decode_bytes_per_s").doubleValue() / bandwidth,
                o.get("decode_bandwidth_share").doubleValue(), 1e-9);
    }
}
