package io.qwen4j.core.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.gguf.GGUFValueType;
import io.qwen4j.core.gguf.GGUFWriter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tokenizer.*} metadata llama.cpp's converter writes for a Qwen tokenizer ({@code _set_vocab_gpt2}, and
 * {@code _set_vocab_qwen} for Qwen1): the byte-level BPE vocabulary padded with {@code [PADn]} to the model's row
 * count, token types, merges as {@code "a b"}, special token ids (from tokenizer_config.json, then config.json, as
 * gguf-py's SpecialVocab resolves them), add_bos/add_eos flags and the chat template.
 */
final class TokenizerMetadata {

    static final int NORMAL = 1;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** SpecialVocab's special token kinds, in its order, with the GGUF key each one is stored under. */
    private static final String[][] SPECIAL = {{"bos", "bos_token_id"}, {"eos", "eos_token_id"},
            {"unk", "unknown_token_id"}, {"sep", "seperator_token_id"}, {"pad", "padding_token_id"},
            {"cls", "cls_token_id"}, {"mask", "mask_token_id"}};

    /**
     * What the metadata is made from.
     *
     * @param tokenizerConfig  tokenizer_config.json, or null
     * @param config           config.json (its {@code *_token_id} fields)
     * @param chatTemplateFile the text of chat_template.jinja, or null
     */
    record Sources(Path origin, JsonNode tokenizerJson, JsonNode tokenizerConfig, JsonNode config,
                   String chatTemplateFile) {
    }

    private TokenizerMetadata() {
    }

    static Sources fromFolder(Path dir) {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new ModelFormatException(dir, "no tokenizer.json: converting needs the Hugging Face tokenizer file");
        }
        Path jinja = dir.resolve("chat_template.jinja");
        try {
            return new Sources(dir, readJson(tokenizerJson), readIfExists(dir.resolve("tokenizer_config.json")),
                    readJson(dir.resolve("config.json")), Files.isRegularFile(jinja) ? Files.readString(jinja) : null);
        } catch (IOException e) {
            throw new ModelFormatException(dir, "cannot read the tokenizer files: " + e.getMessage(), e);
        }
    }

    static JsonNode readJson(InputStream in, String what) {
        try (in) {
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file, "not valid JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode readIfExists(Path file) {
        return Files.isRegularFile(file) ? readJson(file) : null;
    }

    /** Puts the tokenizer keys into {@code w}; {@code vocabSize} is the model's row count (tokens are padded to it). */
    static void put(GGUFWriter w, Sources s, int vocabSize, boolean qwen1) {
        JsonNode model = s.tokenizerJson().path("model");
        if (!"BPE".equals(model.path("type").asText()) || !model.path("vocab").isObject()) {
            throw new ModelFormatException(s.origin(), "tokenizer.json is not a byte-level BPE tokenizer (model.type "
                    + model.path("type").asText("missing") + ")");
        }
        String[] tokens = new String[vocabSize];
        int[] types = new int[vocabSize];
        for (Map.Entry<String, JsonNode> e : model.path("vocab").properties()) {
            setToken(s, tokens, types, e.getValue().asInt(-1), e.getKey(), NORMAL);
        }
        Map<String, Integer> added = new HashMap<>();
        for (JsonNode t : s.tokenizerJson().path("added_tokens")) {
            String content = t.path("content").asText();
            int id = t.path("id").asInt(-1);
            added.put(content, id);
            boolean control = qwen1 || t.path("special").asBoolean(false) || looksSpecial(content);
            setToken(s, tokens, types, id, content, control ? CONTROL : USER_DEFINED);
        }
        for (int i = 0; i < vocabSize; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = UNUSED;
            }
        }
        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", "qwen2");
        w.putArray("tokenizer.ggml.tokens", GGUFValueType.STRING, tokens);
        w.putArray("tokenizer.ggml.token_type", GGUFValueType.INT32, types);
        w.putArray("tokenizer.ggml.merges", GGUFValueType.STRING, merges(s, model.path("merges")));
        Map<String, Integer> special = specialTokenIds(s, added, vocabSize);
        if (qwen1) {
            // _set_vocab_qwen: <|endoftext|> for bos/eos when nothing names them, and always for unk
            Integer eot = added.get("<|endoftext|>");
            if (eot != null) {
                if (special.isEmpty()) {
                    special.put("bos", eot);
                    special.put("eos", eot);
                }
                special.putIfAbsent("unk", eot);
            }
        }
        // in the order they were found, as SpecialVocab writes them
        special.forEach((kind, id) -> w.putUInt32("tokenizer.ggml." + keyOf(kind), id));
        if (s.tokenizerConfig() != null) {
            for (String kind : new String[] {"bos", "eos"}) {
                JsonNode flag = s.tokenizerConfig().get("add_" + kind + "_token");
                if (flag != null && flag.isBoolean()) {
                    w.putBool("tokenizer.ggml.add_" + kind + "_token", flag.booleanValue());
                }
            }
        }
        putChatTemplate(w, s);
    }

    private static String keyOf(String kind) {
        for (String[] k : SPECIAL) {
            if (k[0].equals(kind)) {
                return k[1];
            }
        }
        throw new IllegalArgumentException(kind);
    }

    private static void setToken(Sources s, String[] tokens, int[] types, int id, String text, int type) {
        if (id < 0 || id >= tokens.length) {
            throw new ModelFormatException(s.origin(), "token '" + text + "' has id " + id
                    + ", outside the model's " + tokens.length + " rows (vocab_size)");
        }
        tokens[id] = text;
        types[id] = type;
    }

    /** gguf-py's {@code does_token_look_special}: added tokens that are control tokens though not flagged special. */
    static boolean looksSpecial(String t) {
        return t.equals("<pad>") || t.equals("<mask>") || t.equals("<2mass>") || t.equals("[@BOS@]")
                || (t.startsWith("<|") && t.endsWith("|>")) || (t.startsWith("<｜") && t.endsWith("｜>"))
                || (t.startsWith("<unused") && t.endsWith(">"));
    }

    private static String[] merges(Sources s, JsonNode merges) {
        List<String> out = new ArrayList<>(merges.size());
        for (JsonNode m : merges) {
            if (m.isTextual()) {
                out.add(m.textValue());
            } else if (m.isArray() && m.size() == 2) {
                out.add(m.get(0).asText() + " " + m.get(1).asText()); // the newer [left, right] form
            } else {
                throw new ModelFormatException(s.origin(), "tokenizer.json has a merge that is neither \"a b\" nor [a, b]: " + m);
            }
        }
        return out.toArray(String[]::new);
    }

    /** SpecialVocab: each kind from tokenizer_config.json's token text, else config.json's id; first one wins. */
    private static Map<String, Integer> specialTokenIds(Sources s, Map<String, Integer> added, int vocabSize) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        if (s.tokenizerConfig() != null) {
            for (String[] kind : SPECIAL) {
                JsonNode entry = s.tokenizerConfig().get(kind[0] + "_token");
                String text = entry == null ? null : entry.isTextual() ? entry.textValue()
                        : entry.path("content").isTextual() ? entry.path("content").textValue() : null;
                Integer id = text == null ? null : added.get(text);
                if (id != null && id < vocabSize) {
                    ids.putIfAbsent(kind[0], id);
                }
            }
        }
        for (String[] kind : SPECIAL) {
            JsonNode id = s.config().get(kind[0] + "_token_id");
            if (id != null && id.canConvertToInt() && id.intValue() >= 0 && id.intValue() < vocabSize) {
                ids.putIfAbsent(kind[0], id.intValue());
            }
        }
        return ids;
    }

    /** tokenizer_config.json's template wins over chat_template.jinja; a list of named templates keeps them all. */
    private static void putChatTemplate(GGUFWriter w, Sources s) {
        JsonNode t = s.tokenizerConfig() == null ? null : s.tokenizerConfig().get("chat_template");
        if (t != null && t.isTextual()) {
            w.putString("tokenizer.chat_template", t.textValue());
        } else if (t != null && t.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode e : t) {
                String name = e.path("name").asText();
                String template = e.path("template").asText();
                if (name.equals("default")) {
                    w.putString("tokenizer.chat_template", template);
                } else {
                    w.putString("tokenizer.chat_template." + name, template);
                    names.add(name);
                }
            }
            if (!names.isEmpty()) {
                w.putArray("tokenizer.chat_templates", GGUFValueType.STRING, names.toArray(String[]::new));
            }
        } else if (s.chatTemplateFile() != null) {
            w.putString("tokenizer.chat_template", s.chatTemplateFile());
        }
    }
}
