package io.qwen4j.core.constrain;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts a JSON Schema to GBNF whose sentences are JSON texts valid against it, in the manner of llama.cpp's
 * json-schema-to-grammar. Every value may be followed by a little whitespace (one space, or a newline and up to 20
 * spaces or tabs); properties come in the order of {@code properties}, required ones always, optional ones maybe;
 * extra properties only where {@code additionalProperties} asks for them (then after the declared ones, with keys
 * that are none of the declared names and have no escapes). {@code oneOf} is treated as {@code anyOf} (exclusivity
 * is not enforced). Keywords that constrain values but are not supported raise a {@link SchemaException} naming
 * the keyword's JSON pointer, rather than being ignored; annotations (title, description, examples, ...) and
 * unknown formats are ignored.
 */
final class JsonSchemaConverter {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Shared rules, written only when used. */
    private static final Map<String, String> PRIMITIVES = new LinkedHashMap<>();

    static {
        PRIMITIVES.put("space", "| \" \" | \"\\n\" [ \\t]{0,20}");
        PRIMITIVES.put("hex", "[0-9a-fA-F]");
        // The u escapes exclude surrogates, so every escape is one whole character.
        PRIMITIVES.put("char", "[^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" ([0-9a-cA-Ce-fE-F] hex{3} "
                + "| [dD] [0-7] hex{2}))");
        PRIMITIVES.put("keychar", "[^\"\\\\\\x7F\\x00-\\x1F]");
        PRIMITIVES.put("integral", "\"0\" | [1-9] [0-9]{0,15}");
        PRIMITIVES.put("string", "\"\\\"\" char* \"\\\"\" space");
        PRIMITIVES.put("number", "\"-\"? integral (\".\" [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})? space");
        PRIMITIVES.put("integer", "\"-\"? integral space");
        PRIMITIVES.put("boolean", "(\"true\" | \"false\") space");
        PRIMITIVES.put("null", "\"null\" space");
        PRIMITIVES.put("value", "object | array | string | number | boolean | null");
        PRIMITIVES.put("object", "\"{\" space (string \":\" space value (\",\" space string \":\" space value)*)? "
                + "\"}\" space");
        PRIMITIVES.put("array", "\"[\" space (value (\",\" space value)*)? \"]\" space");
        PRIMITIVES.put("date", "[0-9]{4} \"-\" (\"0\" [1-9] | \"1\" [0-2]) \"-\" (\"0\" [1-9] | [1-2] [0-9] "
                + "| \"3\" [0-1])");
        PRIMITIVES.put("time", "([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9] \":\" [0-5] [0-9] (\".\" [0-9]{3})? "
                + "(\"Z\" | [+-] ([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9])");
        PRIMITIVES.put("uuid", "hex{8} \"-\" hex{4} \"-\" hex{4} \"-\" hex{4} \"-\" hex{12}");
    }

    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment", "$anchor", "title",
            "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$defs", "definitions",
            "contentMediaType", "contentEncoding");
    private static final Set<String> SUPPORTED = Set.of("type", "properties", "required", "additionalProperties",
            "enum", "const", "items", "minItems", "maxItems", "anyOf", "oneOf", "$ref", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "format");
    private static final List<String> TYPES = List.of("object", "array", "string", "number", "integer", "boolean",
            "null");

    private final JsonNode root;
    private final Map<String, String> rules = new LinkedHashMap<>();
    private final Map<String, String> bodies = new HashMap<>();
    private final Map<String, String> refRules = new HashMap<>();
    private final Set<String> usedPrimitives = new LinkedHashSet<>();

    private JsonSchemaConverter(JsonNode root) {
        this.root = root;
        primitive("space"); // every value may be followed by whitespace
    }

    /** GBNF for the JSON texts valid against {@code schemaJson}. */
    static String convert(String schemaJson) {
        JsonNode root;
        try {
            root = JSON.readTree(schemaJson);
        } catch (JacksonException e) {
            throw new SchemaException("", "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new SchemaException("", "the schema is empty");
        }
        JsonSchemaConverter c = new JsonSchemaConverter(root);
        String body = c.visit(root, "", "root");
        StringBuilder sb = new StringBuilder("root ::= ").append(body).append('\n');
        c.rules.forEach((name, rule) -> sb.append(name).append(" ::= ").append(rule).append('\n'));
        for (String p : PRIMITIVES.keySet()) {
            if (c.usedPrimitives.contains(p)) {
                sb.append(p).append(" ::= ").append(PRIMITIVES.get(p)).append('\n');
            }
        }
        return sb.toString();
    }

    /** A GBNF expression for the values valid against {@code schema}, each followed by optional whitespace. */
    private String visit(JsonNode schema, String pointer, String hint) {
        if (schema.isBoolean()) {
            if (!schema.booleanValue()) {
                throw new SchemaException(pointer, "the schema false allows no value");
            }
            return primitive("value");
        }
        if (!schema.isObject()) {
            throw new SchemaException(pointer, "a schema must be an object or a boolean");
        }
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!SUPPORTED.contains(key) && !ANNOTATIONS.contains(key)) {
                throw new SchemaException(pointer + "/" + escapePointer(key), "keyword \"" + key
                        + "\" is not supported");
            }
        }
        if (schema.has("$ref")) {
            onlyWith(schema, pointer, "$ref");
            return ref(schema.get("$ref"), pointer + "/$ref");
        }
        if (schema.has("const")) {
            onlyWith(schema, pointer, "const", "type");
            return literal(schema.get("const"));
        }
        if (schema.has("enum")) {
            onlyWith(schema, pointer, "enum", "type");
            JsonNode values = schema.get("enum");
            if (!values.isArray() || values.isEmpty()) {
                throw new SchemaException(pointer + "/enum", "enum must be a non-empty array");
            }
            List<String> options = new ArrayList<>();
            for (JsonNode v : values) {
                options.add(literal(v));
            }
            return rule(hint, String.join(" | ", options));
        }
        for (String combinator : List.of("anyOf", "oneOf")) {
            if (schema.has(combinator)) {
                onlyWith(schema, pointer, combinator);
                JsonNode options = schema.get(combinator);
                if (!options.isArray() || options.isEmpty()) {
                    throw new SchemaException(pointer + "/" + combinator, combinator + " must be a non-empty array");
                }
                List<String> alts = new ArrayList<>();
                for (int i = 0; i < options.size(); i++) {
                    alts.add(visit(options.get(i), pointer + "/" + combinator + "/" + i, hint + "-" + i));
                }
                return rule(hint, String.join(" | ", alts));
            }
        }
        JsonNode type = schema.get("type");
        if (type != null && type.isArray()) {
            List<String> alts = new ArrayList<>();
            for (int i = 0; i < type.size(); i++) {
                alts.add(typed(schema, checkType(type.get(i), pointer + "/type/" + i), pointer, hint + "-" + i));
            }
            if (alts.isEmpty()) {
                throw new SchemaException(pointer + "/type", "type must not be an empty array");
            }
            return rule(hint, String.join(" | ", alts));
        }
        String t = type != null ? checkType(type, pointer + "/type") : inferType(schema);
        return t == null ? primitive("value") : typed(schema, t, pointer, hint);
    }

    private String typed(JsonNode schema, String type, String pointer, String hint) {
        return switch (type) {
            case "object" -> object(schema, pointer, hint);
            case "array" -> array(schema, pointer, hint);
            case "string" -> string(schema, pointer, hint);
            case "integer" -> integer(schema, pointer, hint);
            case "number" -> {
                for (String k : List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) {
                    if (schema.has(k)) {
                        throw new SchemaException(pointer + "/" + k, k + " is only supported for type integer");
                    }
                }
                yield primitive("number");
            }
            case "boolean" -> primitive("boolean");
            default -> primitive("null");
        };
    }

    private static String inferType(JsonNode schema) {
        if (schema.has("properties") || schema.has("additionalProperties") || schema.has("required")) {
            return "object";
        }
        if (schema.has("items") || schema.has("minItems") || schema.has("maxItems")) {
            return "array";
        }
        if (schema.has("minLength") || schema.has("maxLength") || schema.has("pattern") || schema.has("format")) {
            return "string";
        }
        if (schema.has("minimum") || schema.has("maximum") || schema.has("exclusiveMinimum")
                || schema.has("exclusiveMaximum")) {
            return "number";
        }
        return null;
    }

    private String checkType(JsonNode type, String pointer) {
        if (!type.isTextual() || !TYPES.contains(type.textValue())) {
            throw new SchemaException(pointer, "type must be one of " + TYPES + ", got " + type);
        }
        return type.textValue();
    }

    private String object(JsonNode schema, String pointer, String hint) {
        JsonNode props = schema.get("properties");
        if (props != null && !props.isObject()) {
            throw new SchemaException(pointer + "/properties", "properties must be an object");
        }
        Set<String> required = new LinkedHashSet<>();
        JsonNode req = schema.get("required");
        if (req != null) {
            if (!req.isArray()) {
                throw new SchemaException(pointer + "/required", "required must be an array of strings");
            }
            for (int i = 0; i < req.size(); i++) {
                if (!req.get(i).isTextual()) {
                    throw new SchemaException(pointer + "/required/" + i, "required must be an array of strings");
                }
                required.add(req.get(i).textValue());
            }
        }
        // Members in order: the declared properties, then required names that were not declared (any value).
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        if (props != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                names.add(e.getKey());
                values.add(visit(e.getValue(), pointer + "/properties/" + escapePointer(e.getKey()),
                        hint + "-" + e.getKey()));
            }
        }
        for (String r : required) {
            if (!names.contains(r)) {
                names.add(r);
                values.add(primitive("value"));
            }
        }
        JsonNode additional = schema.get("additionalProperties");
        String extraValue;
        if (additional == null) {
            extraValue = props == null && req == null ? primitive("value") : null;
        } else if (additional.isBoolean()) {
            extraValue = additional.booleanValue() ? primitive("value") : null;
        } else {
            extraValue = visit(additional, pointer + "/additionalProperties", hint + "-additional");
        }
        String extraMember = null;
        if (extraValue != null) {
            String key = notNames(names, hint);
            extraMember = rule(hint + "-additional-kv", key + " \":\" space " + extraValue);
        }
        // first-k: members from k on, none written yet; next-k: from k on, after at least one member.
        String next = extraMember == null ? "" : "(\",\" space " + extraMember + ")*";
        String first = extraMember == null ? "" : "(" + extraMember + " (\",\" space " + extraMember + ")*)?";
        for (int k = names.size() - 1; k >= 0; k--) {
            String kv = rule(hint + "-" + names.get(k) + "-kv", literal(TextNode.valueOf(names.get(k)))
                    + " \":\" space " + values.get(k));
            String nextRest = next.isEmpty() ? "" : " " + next;
            String newNext;
            String newFirst;
            if (required.contains(names.get(k))) {
                newNext = "\",\" space " + kv + nextRest;
                newFirst = kv + nextRest;
            } else {
                newNext = "(\",\" space " + kv + ")?" + nextRest;
                newFirst = first.isEmpty() ? kv + "?" : "(" + kv + nextRest + " | " + first + ")";
            }
            next = k == 0 ? newNext : rule(hint + "-after-" + k, newNext);
            first = rule(hint + "-from-" + k, newFirst);
        }
        return rule(hint, "\"{\" space " + (first.isEmpty() ? "" : first + " ") + "\"}\" space");
    }

    /** A rule for JSON strings without escapes that are none of {@code names}, followed by optional whitespace. */
    private String notNames(List<String> names, String hint) {
        if (names.isEmpty()) {
            primitive("keychar");
            return rule(hint + "-key", "\"\\\"\" keychar* \"\\\"\" space");
        }
        primitive("keychar");
        String body = notPrefix("", names, hint + "-key");
        return rule(hint + "-key", "\"\\\"\" " + body + " \"\\\"\" space");
    }

    /** Strings s such that prefix + s is none of the names. */
    private String notPrefix(String prefix, List<String> names, String hint) {
        Map<Integer, Boolean> children = new LinkedHashMap<>();
        boolean isName = false;
        for (String n : names) {
            if (n.equals(prefix)) {
                isName = true;
            } else if (n.startsWith(prefix)) {
                children.put(n.codePointAt(prefix.length()), true);
            }
        }
        List<String> options = new ArrayList<>();
        if (!isName) {
            options.add("\"\"");
        }
        int[] taken = new int[0];
        for (int cp : children.keySet()) {
            taken = CodePointSets.union(taken, CodePointSets.of(cp));
            String childPrefix = prefix + new String(Character.toChars(cp));
            options.add(RegexToGbnf.chars(CodePointSets.of(cp)) + " "
                    + notPrefix(childPrefix, names, hint));
        }
        int[] plain = CodePointSets.minus(CodePointSets.complement(CodePointSets.normalize(new int[] {0, 0x1F, '"',
                '"', '\\', '\\', 0x7F, 0x7F})), taken);
        if (plain.length > 0) {
            options.add(GbnfText.charClass(plain) + " keychar*");
        }
        return rule(hint, String.join(" | ", options));
    }

    private String array(JsonNode schema, String pointer, String hint) {
        JsonNode items = schema.get("items");
        if (items != null && items.isArray()) {
            throw new SchemaException(pointer + "/items", "items as an array (tuples) is not supported");
        }
        String item = items == null ? primitive("value") : visit(items, pointer + "/items", hint + "-item");
        int min = count(schema, "minItems", pointer, 0);
        int max = count(schema, "maxItems", pointer, -1);
        if (max >= 0 && max < min) {
            throw new SchemaException(pointer + "/maxItems", "maxItems is below minItems");
        }
        String more = "(\",\" space " + item + ")";
        String list;
        if (max == 0) {
            list = "";
        } else {
            String rest = max < 0 ? more + "{" + Math.max(min - 1, 0) + ",}"
                    : more + "{" + Math.max(min - 1, 0) + "," + (max - 1) + "}";
            list = "(" + item + " " + rest + ")" + (min == 0 ? "?" : "") + " ";
        }
        return rule(hint, "\"[\" space " + list + "\"]\" space");
    }

    private String string(JsonNode schema, String pointer, String hint) {
        if (schema.has("pattern")) {
            onlyWith(schema, pointer, "pattern", "type");
            JsonNode p = schema.get("pattern");
            if (!p.isTextual()) {
                throw new SchemaException(pointer + "/pattern", "pattern must be a string");
            }
            primitive("char");
            String body = RegexToGbnf.convert(p.textValue(), pointer + "/pattern", "char");
            return rule(hint, "\"\\\"\" " + body + " \"\\\"\" space");
        }
        JsonNode format = schema.get("format");
        if (format != null && format.isTextual() && List.of("date", "time", "date-time", "uuid")
                .contains(format.textValue())) {
            onlyWith(schema, pointer, "format", "type");
            String body = switch (format.textValue()) {
                case "date" -> primitive("date");
                case "time" -> primitive("time");
                case "date-time" -> primitive("date") + " \"T\" " + primitive("time");
                default -> primitive("uuid");
            };
            return rule(hint, "\"\\\"\" " + body + " \"\\\"\" space");
        }
        int min = count(schema, "minLength", pointer, 0);
        int max = count(schema, "maxLength", pointer, -1);
        if (max >= 0 && max < min) {
            throw new SchemaException(pointer + "/maxLength", "maxLength is below minLength");
        }
        if (min == 0 && max < 0) {
            return primitive("string");
        }
        primitive("char");
        primitive("space");
        return rule(hint, "\"\\\"\" char{" + min + "," + (max < 0 ? "" : max) + "} \"\\\"\" space");
    }

    private String integer(JsonNode schema, String pointer, String hint) {
        Long min = bound(schema, "minimum", pointer, true, false);
        Long exclusiveMin = bound(schema, "exclusiveMinimum", pointer, true, true);
        Long max = bound(schema, "maximum", pointer, false, false);
        Long exclusiveMax = bound(schema, "exclusiveMaximum", pointer, false, true);
        if (exclusiveMin != null) {
            min = min == null ? exclusiveMin : Math.max(min, exclusiveMin);
        }
        if (exclusiveMax != null) {
            max = max == null ? exclusiveMax : Math.min(max, exclusiveMax);
        }
        if (min == null && max == null) {
            return primitive("integer");
        }
        if (min != null && max != null && min > max) {
            throw new SchemaException(pointer, "no integer lies between the minimum and the maximum");
        }
        return rule(hint, IntegerRanges.gbnf(min, max) + " " + primitive("space"));
    }

    /** An integer bound: the least (lower) or greatest (upper) integer the bound allows. */
    private static Long bound(JsonNode schema, String key, String pointer, boolean lower, boolean exclusive) {
        JsonNode v = schema.get(key);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw new SchemaException(pointer + "/" + key, key + " must be a number");
        }
        double d = v.doubleValue();
        if (Math.abs(d) >= 1e17) {
            throw new SchemaException(pointer + "/" + key, key + " beyond 17 digits is not supported");
        }
        if (v.isIntegralNumber()) {
            long l = v.longValue();
            return exclusive ? (lower ? l + 1 : l - 1) : l;
        }
        double r = lower ? Math.floor(d) + 1 : Math.ceil(d) - 1;
        if (!exclusive && d == Math.rint(d)) {
            r = d;
        }
        return (long) r;
    }

    private static int count(JsonNode schema, String key, String pointer, int absent) {
        JsonNode v = schema.get(key);
        if (v == null) {
            return absent;
        }
        if (!v.isIntegralNumber() || v.longValue() < 0 || v.longValue() > 10_000) {
            throw new SchemaException(pointer + "/" + key, key + " must be an integer from 0 to 10000");
        }
        return v.intValue();
    }

    private String ref(JsonNode ref, String pointer) {
        if (!ref.isTextual() || !ref.textValue().startsWith("#")) {
            throw new SchemaException(pointer, "only local references (\"#/...\") are supported, got " + ref);
        }
        String target = ref.textValue().substring(1);
        String name = refRules.get(target);
        if (name != null) {
            return name;
        }
        JsonNode node = root;
        if (!target.isEmpty()) {
            if (!target.startsWith("/")) {
                throw new SchemaException(pointer, "only JSON-pointer references are supported, got " + ref);
            }
            node = root.at(target);
            if (node.isMissingNode()) {
                throw new SchemaException(pointer, "reference " + ref + " points at nothing");
            }
        }
        String segment = target.isEmpty() ? "root" : target.substring(target.lastIndexOf('/') + 1);
        name = uniqueName("ref-" + segment);
        refRules.put(target, name);
        rules.put(name, "");
        rules.put(name, visit(node, target, name));
        return name;
    }

    private String literal(JsonNode value) {
        try {
            return GbnfText.literal(JSON.writeValueAsString(value)) + " " + primitive("space");
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write a parsed JSON value", e);
        }
    }

    private String primitive(String name) {
        if (usedPrimitives.add(name)) {
            // Mark what the primitive refers to as used too.
            String body = PRIMITIVES.get(name);
            for (String other : PRIMITIVES.keySet()) {
                if (!other.equals(name) && body.matches("(?s).*(^|[^a-z-])" + other + "([^a-z-]|$).*")) {
                    primitive(other);
                }
            }
        }
        return name;
    }

    /** A named rule with this body (an existing one if the body was seen before). */
    private String rule(String hint, String body) {
        String existing = bodies.get(body);
        if (existing != null) {
            return existing;
        }
        String name = uniqueName(hint);
        rules.put(name, body);
        bodies.put(body, name);
        return name;
    }

    private String uniqueName(String hint) {
        String base = hint.replaceAll("[^a-zA-Z0-9-]+", "-");
        if (base.isEmpty() || base.equals("root") || PRIMITIVES.containsKey(base)) {
            base = base + "-schema";
        }
        String name = base;
        for (int n = 2; rules.containsKey(name); n++) {
            name = base + "-" + n;
        }
        return name;
    }

    private static void onlyWith(JsonNode schema, String pointer, String keyword, String... allowed) {
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals(keyword) && !ANNOTATIONS.contains(key) && !List.of(allowed).contains(key)) {
                throw new SchemaException(pointer + "/" + escapePointer(key), "keyword \"" + key
                        + "\" next to \"" + keyword + "\" is not supported");
            }
        }
    }

    private static String escapePointer(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
