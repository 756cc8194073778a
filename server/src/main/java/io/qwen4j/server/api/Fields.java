package io.qwen4j.server.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed reads of request fields. A JSON null counts as absent (clients send explicit nulls for unset options);
 * a value of the wrong type or out of range is a 400 that names the field and says what was expected.
 */
final class Fields {

    private Fields() {
    }

    static JsonNode get(JsonNode parent, String name) {
        JsonNode v = parent.get(name);
        return v == null || v.isNull() ? null : v;
    }

    static String string(JsonNode parent, String name, String path) {
        JsonNode v = get(parent, name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(path, "a string", v);
        }
        return v.asText();
    }

    static Boolean bool(JsonNode parent, String name) {
        JsonNode v = get(parent, name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw wrongType(name, "true or false", v);
        }
        return v.asBoolean();
    }

    static Long integer(JsonNode parent, String name, long min, long max) {
        JsonNode v = get(parent, name);
        if (v == null) {
            return null;
        }
        if (!v.isNumber() || !v.canConvertToExactIntegral() || !v.canConvertToLong()) {
            throw wrongType(name, "an integer", v);
        }
        long x = v.asLong();
        if (x < min || x > max) {
            throw ApiException.invalid(name, "'" + name + "' must be " + range(min, max) + ", got " + x);
        }
        return x;
    }

    static Double number(JsonNode parent, String name, double min, double max, boolean minExclusive) {
        JsonNode v = get(parent, name);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw wrongType(name, "a number", v);
        }
        double x = v.asDouble();
        if (!Double.isFinite(x) || x < min || x > max || (minExclusive && x == min)) {
            throw ApiException.invalid(name, "'" + name + "' must be a number " + (minExclusive ? "above " + fmt(min) + " and at most "
                    + fmt(max) : "between " + fmt(min) + " and " + fmt(max)) + ", got " + v.asText());
        }
        return x;
    }

    static JsonNode object(JsonNode parent, String name, String path) {
        JsonNode v = get(parent, name);
        if (v != null && !v.isObject()) {
            throw wrongType(path, "an object", v);
        }
        return v;
    }

    static JsonNode array(JsonNode parent, String name, String path) {
        JsonNode v = get(parent, name);
        if (v != null && !v.isArray()) {
            throw wrongType(path, "an array", v);
        }
        return v;
    }

    static ApiException wrongType(String path, String expected, JsonNode got) {
        return ApiException.invalid(path, "'" + path + "' must be " + expected + ", got " + describe(got));
    }

    static String describe(JsonNode v) {
        String text = v.toString();
        if (text.length() > 40) {
            text = text.substring(0, 37) + "...";
        }
        String kind = switch (v.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> v.getNodeType().name().toLowerCase();
        };
        return kind + " (" + text + ")";
    }

    private static String range(long min, long max) {
        if (max == Long.MAX_VALUE) {
            return "at least " + min;
        }
        return "between " + min + " and " + max;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
