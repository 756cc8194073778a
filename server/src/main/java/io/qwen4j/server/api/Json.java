package io.qwen4j.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's JSON: one mapper, strict about duplicate keys, bounded nesting. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    }

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Parses a request body; a syntax error becomes a 400 that says where. */
    public static JsonNode parse(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ApiException.invalid(null, "the request body is empty; expected a JSON object");
            }
            if (!node.isObject()) {
                throw ApiException.invalid(null, "the request body must be a JSON object, got " + node.getNodeType().name().toLowerCase());
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "malformed JSON in the request body: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"));
        } catch (java.io.IOException e) {
            throw ApiException.invalid(null, "unreadable request body: " + e.getMessage());
        }
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** A JSON value as plain Java values (maps, lists, strings, numbers), the form chat templates read. */
    public static Object plain(JsonNode node) {
        return MAPPER.convertValue(node, Object.class);
    }
}
