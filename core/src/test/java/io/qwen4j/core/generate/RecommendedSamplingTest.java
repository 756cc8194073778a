package io.qwen4j.core.generate;

import io.qwen4j.core.generate.output.ThinkingStart;
import io.qwen4j.core.generate.sampling.SamplerConfig;
import io.qwen4j.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecommendedSamplingTest {

    private static SamplerConfig withoutSeed(SamplerConfig c) {
        return c.toBuilder().seed(0).build();
    }

    @Test
    void qwensSettingsPerMode() {
        assertEquals(new SamplerConfig(0.6f, 20, 0.95f, 0f, 1f, 0f, 0f, 64, 0),
                withoutSeed(RecommendedSampling.forMode(true).build()));
        assertEquals(new SamplerConfig(0.7f, 20, 0.8f, 0f, 1f, 0f, 0f, 64, 0),
                withoutSeed(RecommendedSampling.forMode(false).build()));
    }

    @Test
    void theModeIsWhatThePromptRendered() {
        Tokenizer qwen3 = Tokenizer.fromDirectory(Path.of(System.getProperty("qwen4j.testdata")).resolve("models/qwen3-tiny/hf"));
        assertTrue(RecommendedSampling.isThinking(ThinkingStart.IN_THINK, qwen3));
        assertTrue(RecommendedSampling.isThinking(ThinkingStart.MAY_OPEN, qwen3));
        assertFalse(RecommendedSampling.isThinking(ThinkingStart.CLOSED, qwen3));
    }
}
