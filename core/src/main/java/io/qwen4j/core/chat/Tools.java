package io.qwen4j.core.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;
import java.util.Map;

/**
 * Tool definitions in OpenAI's function format, {@code [{"type": "function", "function": {"name", "description",
 * "parameters"}}]}, as JSON values for the chat template (key order and integer/float kept, as the template's
 * {@code tojson} shows them).
 */
public final class Tools {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Tools() {
    }

    /**
     * @throws IllegalArgumentException when the text is not JSON or not a list of function tools, naming the place
     */
    public static List<Object> parse(String json) {
        Object value;
        try {
            value = JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tools: invalid JSON: " + e.getOriginalMessage());
        }
        return validate(value);
    }

    /** Checks tools given as JSON values; returns them as an unmodifiable list. */
    public static List<Object> validate(Object tools) {
        if (!(tools instanceof List<?> list)) {
            throw new IllegalArgumentException("tools must be a JSON list of {\"type\": \"function\", \"function\": {...}}");
        }
        for (int i = 0; i < list.size(); i++) {
            String at = "tools[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> tool)) {
                throw new IllegalArgumentException(at + " must be an object");
            }
            if (!"function".equals(tool.get("type"))) {
                throw new IllegalArgumentException(at + ".type must be \"function\"");
            }
            if (!(tool.get("function") instanceof Map<?, ?> function)) {
                throw new IllegalArgumentException(at + ".function must be an object with a name");
            }
            if (!(function.get("name") instanceof String name) || name.isEmpty()) {
                throw new IllegalArgumentException(at + ".function.name must be a non-empty string");
            }
            Object parameters = function.get("parameters");
            if (parameters != null && !(parameters instanceof Map<?, ?>)) {
                throw new IllegalArgumentException(at + ".function.parameters must be a JSON schema object");
            }
        }
        return java.util.Collections.unmodifiableList(new java.util.ArrayList<>(list));
    }
}
