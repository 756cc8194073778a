package io.qwen4j.core.generate.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.function.Supplier;

/**
 * Reads the body of one {@code <tool_call>} block, {@code {"name": "f", "arguments": {...}}}, into a {@link ToolCall};
 * anything else becomes a {@link ToolCallError} saying what is wrong. The arguments keep the model's own text (its
 * spacing and key order), so the call renders back into the prompt exactly as it was generated.
 */
final class ToolCallReader {

    private static final JsonFactory JSON = new JsonFactory();

    private ToolCallReader() {
    }

    static OutputEvent read(String raw, Supplier<String> ids) {
        String body = raw.strip();
        try {
            return readCall(body, ids);
        } catch (JsonProcessingException e) {
            return new ToolCallError(raw, "invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new ToolCallError(raw, "cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return new ToolCallError(raw, e.getMessage());
        }
    }

    private static OutputEvent readCall(String body, Supplier<String> ids) throws IOException {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a tool call must be a JSON object {\"name\": ..., \"arguments\": {...}}");
            }
            String name = null;
            String arguments = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "name" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw new IllegalArgumentException("\"name\" must be a string");
                        }
                        name = p.getText();
                    }
                    case "arguments" -> arguments = readArguments(p, body, value);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("unexpected text after the JSON object");
            }
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("the call has no \"name\"");
            }
            // a function without parameters may be called without arguments
            return new ToolCall(ids.get(), name, arguments == null ? "{}" : arguments);
        }
    }

    /** The arguments object's own text, or a string holding a JSON object (as OpenAI's API writes arguments). */
    private static String readArguments(JsonParser p, String body, JsonToken value) throws IOException {
        if (value == JsonToken.START_OBJECT) {
            int from = (int) p.currentTokenLocation().getCharOffset();
            p.skipChildren();
            int to = (int) p.currentLocation().getCharOffset();
            return body.substring(from, to);
        }
        if (value == JsonToken.VALUE_STRING) {
            String text = p.getText();
            try (JsonParser inner = JSON.createParser(text)) {
                if (inner.nextToken() != JsonToken.START_OBJECT) {
                    throw new IllegalArgumentException("\"arguments\" must be a JSON object");
                }
                inner.skipChildren();
                if (inner.nextToken() != null) {
                    throw new IllegalArgumentException("\"arguments\" must be a single JSON object");
                }
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("\"arguments\" is a string that is not a JSON object: " + e.getOriginalMessage());
            }
            return text;
        }
        throw new IllegalArgumentException("\"arguments\" must be a JSON object");
    }
}
