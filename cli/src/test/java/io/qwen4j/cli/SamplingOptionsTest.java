package io.qwen4j.cli;

import io.qwen4j.core.generate.sampling.SamplerConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Unset flags keep Qwen's recommended settings for the mode; only the flags given override them. */
class SamplingOptionsTest {

    private static SamplingOptions parse(String... args) {
        SamplingOptions options = new SamplingOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    @Test
    void withoutFlagsEachModeGetsQwensSettings() {
        SamplerConfig thinking = parse("--seed", "1").config(true);
        assertEquals(new SamplerConfig(0.6f, 20, 0.95f, 0f, 1f, 0f, 0f, 64, 1), thinking);
        assertEquals(new SamplerConfig(0.7f, 20, 0.8f, 0f, 1f, 0f, 0f, 64, 1), parse("--seed", "1").config(false));
    }

    @Test
    void onlyTheFlagsGivenOverride() {
        assertEquals(new SamplerConfig(0.2f, 20, 0.95f, 0f, 1f, 0f, 0f, 64, 3),
                parse("--temp", "0.2", "--seed", "3").config(true));
        assertEquals(new SamplerConfig(0.7f, 5, 0.8f, 0.1f, 1.1f, 0f, 0f, 64, 3),
                parse("--top-k", "5", "--min-p", "0.1", "--repeat-penalty", "1.1", "--seed", "3").config(false));
    }
}
