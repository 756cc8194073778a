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
    }
}
