package io.qwen4j.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a Hugging Face folder says besides the weights: the end-of-generation ids (config.json,
 * generation_config.json, the tokenizer's eos_token) and the chat template (tokenizer_config.json or
 * chat_template.jinja).
 */
record HfFolder(Set<Integer> endOfGeneration, Optional<String> chatTemplate, Map<String, Object> specialTokens) {

    static HfFolder read(Path dir, Tokenizer tokenizer, int vocabSize) {
        List<Integer> eos = new ArrayList<>(JsonConfig.read(dir.resolve("config.json")).intOrIntList("eos_token_id"));
        JsonConfig.readIfExists(dir.resolve("generation_config.json"))
                .ifPresent(g -> eos.addAll(g.intOrIntList("eos_token_id")));
        Optional<JsonConfig> tokenizerConfig = JsonConfig.readIfExists(dir.resolve("tokenizer_config.json"));
        tokenizerConfig.flatMap(HfFolder::eosToken).flatMap(t -> {
            var id = tokenizer.tokenId(t);
            return id.isPresent() ? Optional.of(id.getAsInt()) : Optional.empty();
        }).ifPresent(eos::add);
        return new HfFolder(EndOfGeneration.withQwenEndTokens(eos, tokenizer, vocabSize),
                chatTemplate(dir, tokenizerConfig), tokenizerConfig.map(HfFolder::specialTokens).orElse(Map.of()));
    }

    /** The special tokens transformers passes to chat templates ({@code special_tokens_map}): those that are set. */
    private static Map<String, Object> specialTokens(JsonConfig tc) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : new String[] {"bos_token", "eos_token", "unk_token", "pad_token"}) {
            JsonNode n = tc.node(key);
            if (n != null && n.isTextual()) {
                out.put(key, n.textValue());
            } else if (n != null && n.isObject() && n.path("content").isTextual()) {
                out.put(key, n.path("content").textValue());
            }
        }
        return out;
    }

    private static Optional<String> eosToken(JsonConfig tc) {
        JsonNode n = tc.node("eos_token");
        if (n == null) {
            return Optional.empty();
        }
        if (n.isTextual()) {
            return Optional.of(n.textValue());
        }
        if (n.isObject() && n.path("content").isTextual()) {
            return Optional.of(n.path("content").textValue()); // the older AddedToken form
        }
        throw tc.wrongType("eos_token", "a string", n);
    }

    private static Optional<String> chatTemplate(Path dir, Optional<JsonConfig> tokenizerConfig) {
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            try {
                return Optional.of(Files.readString(jinja));
            } catch (IOException e) {
                throw new ModelFormatException(jinja, "cannot read: " + e.getMessage());
            }
        }
        if (tokenizerConfig.isEmpty()) {
            return Optional.empty();
        }
        JsonConfig tc = tokenizerConfig.get();
        JsonNode n = tc.node("chat_template");
        if (n == null) {
            return Optional.empty();
        }
        if (n.isTextual()) {
            return Optional.of(n.textValue());
        }
        if (n.isArray()) {
            // the list form: [{"name": "default", "template": ...}, {"name": "tool_use", ...}]
            for (JsonNode e : n) {
                if ("default".equals(e.path("name").asText()) && e.path("template").isTextual()) {
                    return Optional.of(e.path("template").textValue());
                }
            }
            return Optional.empty();
        }
        throw tc.wrongType("chat_template", "a string or a list of named templates", n);
    }
}
