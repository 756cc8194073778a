package io.qwen4j.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwen4j.core.generate.RecommendedSampling;
import io.qwen4j.core.generate.sampling.SamplerConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The generation fields both endpoints share: sampling (OpenAI's plus the llama.cpp extensions top_k, min_p,
 * repetition_penalty), stop, n, stream and stream_options, and llama-server's ignore_eos (generate past the
 * end-of-generation tokens, for benchmarks). Unset sampling fields are null.
 *
 * @param maxTokens what the request asked for, or null
 */
record SamplingFields(Float temperature, Integer topK, Float topP, Float minP, Float presencePenalty,
                      Float frequencyPenalty, Float repetitionPenalty, Long seed, List<String> stop, Integer maxTokens,
                      int n, boolean stream, boolean includeUsage, boolean ignoreEos) {

    static final int MAX_STOP_STRINGS = 16;

    static SamplingFields parse(JsonNode body, String maxTokensField, int maxN) {
        Double temperature = Fields.number(body, "temperature", 0, 2, false);
        Double topP = Fields.number(body, "top_p", 0, 1, true);
        Long topK = Fields.integer(body, "top_k", 0, Integer.MAX_VALUE);
        Double minP = Fields.number(body, "min_p", 0, 1, false);
        Double presence = Fields.number(body, "presence_penalty", -2, 2, false);
        Double frequency = Fields.number(body, "frequency_penalty", -2, 2, false);
        Double repetition = Fields.number(body, "repetition_penalty", 0, 100, true);
        Long seed = Fields.integer(body, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        Long maxTokens = Fields.integer(body, maxTokensField, 1, Integer.MAX_VALUE);
        Long n = Fields.integer(body, "n", 1, maxN);
        Boolean stream = Fields.bool(body, "stream");
        boolean includeUsage = false;
        JsonNode options = Fields.object(body, "stream_options", "stream_options");
        if (options != null) {
            Boolean usage = Fields.bool(options, "include_usage");
            includeUsage = usage != null && usage;
        }
        Boolean ignoreEos = Fields.bool(body, "ignore_eos");
        return new SamplingFields(toFloat(temperature), topK == null ? null : topK.intValue(), toFloat(topP),
                toFloat(minP), toFloat(presence), toFloat(frequency), toFloat(repetition), seed, stop(body),
                maxTokens == null ? null : maxTokens.intValue(), n == null ? 1 : n.intValue(),
                stream != null && stream, includeUsage, ignoreEos != null && ignoreEos);
    }

    /**
     * The sampler: Qwen's recommended settings for the mode the prompt sets (thinking or not), as the CLI uses,
     * with the request's fields on top; a random seed unless the request fixed one.
     */
    SamplerConfig sampler(boolean thinking) {
        SamplerConfig.Builder b = RecommendedSampling.forMode(thinking);
        if (temperature != null) b.temperature(temperature);
        if (topK != null) b.topK(topK);
        if (topP != null) b.topP(topP);
        if (minP != null) b.minP(minP);
        if (presencePenalty != null) b.presencePenalty(presencePenalty);
        if (frequencyPenalty != null) b.frequencyPenalty(frequencyPenalty);
        if (repetitionPenalty != null) b.repetitionPenalty(repetitionPenalty);
        if (seed != null) b.seed(seed);
        return b.build();
    }

    /** The tokens that end an answer: the model's end-of-generation ids, none with ignore_eos. */
    java.util.Set<Integer> stopTokens(java.util.Set<Integer> endOfGeneration) {
        return ignoreEos ? java.util.Set.of() : endOfGeneration;
    }

    private static Float toFloat(Double d) {
        return d == null ? null : d.floatValue();
    }

    /** {@code stop}: a string or a list of strings, none empty. */
    private static List<String> stop(JsonNode body) {
        JsonNode v = Fields.get(body, "stop");
        if (v == null) {
            return List.of();
        }
        if (v.isTextual()) {
            return nonEmpty(List.of(v.asText()));
        }
        if (!v.isArray()) {
            throw Fields.wrongType("stop", "a string or an array of strings", v);
        }
        if (v.size() > MAX_STOP_STRINGS) {
            throw ApiException.invalid("stop", "'stop' holds at most " + MAX_STOP_STRINGS + " strings, got " + v.size());
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw Fields.wrongType("stop[" + i + "]", "a string", v.get(i));
            }
            out.add(v.get(i).asText());
        }
        return nonEmpty(out);
    }

    private static List<String> nonEmpty(List<String> stops) {
        for (int i = 0; i < stops.size(); i++) {
            if (stops.get(i).isEmpty()) {
                throw ApiException.invalid("stop", "'stop' strings must not be empty");
            }
        }
        return stops;
    }
}
