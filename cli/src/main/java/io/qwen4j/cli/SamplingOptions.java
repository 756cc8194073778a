package io.qwen4j.cli;

import io.qwen4j.core.generate.RecommendedSampling;
import io.qwen4j.core.generate.sampling.SamplerConfig;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * Sampling flags, spelled as llama.cpp spells them. Unset ones keep Qwen's recommended settings for the mode the
 * prompt sets: thinking temperature 0.6, top-p 0.95, top-k 20, min-p 0; non-thinking 0.7, 0.8, 20, 0.
 */
final class SamplingOptions {

    @Option(names = {"--temperature", "--temp"}, description = "0 = greedy (default 0.6 thinking, 0.7 not)")
    Float temperature;

    @Option(names = "--top-k", description = "keep the k most likely tokens; 0 = off (default 20)")
    Integer topK;

    @Option(names = "--top-p", description = "nucleus sampling (default 0.95 thinking, 0.8 not)")
    Float topP;

    @Option(names = "--min-p", description = "drop tokens below min-p times the top probability (default 0)")
    Float minP;

    @Option(names = {"--repeat-penalty", "--repetition-penalty"}, description = "1 = off (default 1.0)")
    Float repetitionPenalty;

    @Option(names = "--presence-penalty", description = "default 0")
    Float presencePenalty;

    @Option(names = "--frequency-penalty", description = "default 0")
    Float frequencyPenalty;

    @Option(names = "--repeat-last-n", description = "tokens the penalties look back over; -1 = all (default 64)")
    Integer penaltyLastN;

    @Option(names = {"-s", "--seed"}, description = "random seed for repeatable runs")
    Long seed;

    @Option(names = "--stop", description = "stop when this text is generated (repeatable)")
    List<String> stop = new ArrayList<>();

    /** Qwen's recommended settings for the mode, with the flags the user gave on top. */
    SamplerConfig config(boolean thinking) {
        var b = RecommendedSampling.forMode(thinking);
        if (temperature != null) b.temperature(temperature);
        if (topK != null) b.topK(topK);
        if (topP != null) b.topP(topP);
        if (minP != null) b.minP(minP);
        if (repetitionPenalty != null) b.repetitionPenalty(repetitionPenalty);
        if (presencePenalty != null) b.presencePenalty(presencePenalty);
        if (frequencyPenalty != null) b.frequencyPenalty(frequencyPenalty);
        if (penaltyLastN != null) b.penaltyLastN(penaltyLastN);
        if (seed != null) b.seed(seed);
        return b.build();
    }

    List<String> stopStrings() {
        return List.copyOf(stop);
    }
}
