package io.qwen4j.core.constrain;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonSchemaGrammarTest {

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    /** Checks the grammar accepts every text (and that a real validator agrees each is valid), rejects the rest. */
    private static void check(String schema, List<String> accepted, List<String> rejected) {
        Grammar g = Grammar.fromJsonSchema(schema);
        Schema validator = REGISTRY.getSchema(schema, InputFormat.JSON);
        for (String text : accepted) {
            assertTrue(g.matches(text), () -> "should accept " + text + "\n" + g.gbnf());
            assertEquals(List.of(), validator.validate(text, InputFormat.JSON), "validator disagrees on " + text);
        }
        for (String text : rejected) {
            assertFalse(g.matches(text), () -> "should reject " + text + "\n" + g.gbnf());
        }
    }

    @Test
    void primitiveTypes() {
        check("{\"type\": \"string\"}", List.of("\"\"", "\"a b\"", "\"\\\"\\\\\\n\\u00e9\"", "\"中文 😀\" "),
                List.of("a", "\"a", "\"\n\"", "\"\\x\"", "\"\\ud800\"", "1"));
        check("{\"type\": \"number\"}", List.of("0", "-1", "3.25", "1e10", "-0.5E-3", "12 "),
                List.of("01", "1.", ".5", "+1", "1e", "--1", "\"1\""));
        check("{\"type\": \"integer\"}", List.of("0", "-7", "1234567890123456"),
                List.of("1.0", "01", "-0x1", "12345678901234567"));
        check("{\"type\": \"boolean\"}", List.of("true", "false"), List.of("True", "1", "null"));
        check("{\"type\": \"null\"}", List.of("null"), List.of("nul", "false"));
        check("{\"type\": [\"integer\", \"null\"]}", List.of("3", "null"), List.of("\"3\"", "1.5"));
    }

    @Test
    void objectsWithRequiredAndOptionalPropertiesInOrder() {
        String schema = """
                {"type": "object", "properties": {
                  "a": {"type": "integer"}, "b": {"type": "string"}, "c": {"type": "boolean"}},
                 "required": ["b"]}""";
        check(schema, List.of("{\"b\": \"x\"}", "{\"a\": 1, \"b\": \"x\"}", "{\"b\":\"x\",\"c\":true}",
                        "{ \"a\" : 1 , \"b\" : \"\" , \"c\" : false }", "{\n  \"a\": 1,\n  \"b\": \"y\"\n}"),
                List.of("{}", "{\"a\": 1}", "{\"b\": 1}", "{\"b\": \"x\", \"d\": 1}", "{\"c\": true, \"b\": \"x\"}",
                        "{\"b\": \"x\",}", "{\"b\": \"x\"} {}"));
    }

    @Test
    void nestedObjectsAndAdditionalProperties() {
        check("""
                {"type": "object", "properties": {"inner": {"type": "object",
                  "properties": {"x": {"type": "null"}}, "required": ["x"], "additionalProperties": false}},
                 "required": ["inner"], "additionalProperties": {"type": "integer"}}""",
                List.of("{\"inner\": {\"x\": null}}", "{\"inner\": {\"x\": null}, \"extra\": 5, \"in\": 6}",
                        "{\"inner\": {\"x\": null}, \"innerx\": 1}"),
                List.of("{\"inner\": {\"x\": null, \"y\": 1}}", "{\"inner\": {\"x\": null}, \"extra\": \"s\"}",
                        "{\"inner\": {\"x\": null}, \"inner\": 1}", "{\"extra\": 5, \"inner\": {\"x\": null}}"));
        check("{\"type\": \"object\"}", List.of("{}", "{\"k\": [1, {\"z\": null}]}"), List.of("[]", "{\"k\"}"));
        check("{\"type\": \"object\", \"properties\": {\"a\": {\"const\": 1}}, \"additionalProperties\": true}",
                List.of("{}", "{\"a\": 1, \"b\": \"anything\"}", "{\"b\": [true]}"),
                List.of("{\"a\": 2}", "{\"b\": 1, \"a\": 1}", "{\"a\": 1, \"a\": 1}"));
    }

    @Test
    void arraysWithItemCounts() {
        check("{\"type\": \"array\", \"items\": {\"type\": \"integer\"}, \"minItems\": 1, \"maxItems\": 3}",
                List.of("[1]", "[1, 2, 3]", "[ -1 ,0 ]"), List.of("[]", "[1, 2, 3, 4]", "[1,]", "[\"a\"]"));
        check("{\"type\": \"array\", \"maxItems\": 0}", List.of("[]", "[ ]"), List.of("[1]"));
        check("{\"type\": \"array\", \"minItems\": 2}", List.of("[1, \"a\"]", "[null, [], {}]"), List.of("[1]"));
    }

    @Test
    void enumsAndConst() {
        check("{\"enum\": [\"red\", \"green\", 3, null, {\"a\": [1]}]}",
                List.of("\"red\"", "\"green\"", "3", "null", "{\"a\":[1]}"),
                List.of("\"blue\"", "\"Red\"", "3.0", "{\"a\": [1]}", "\"re\""));
        check("{\"const\": \"only\"}", List.of("\"only\""), List.of("\"other\"", "\"onl\""));
    }

    @Test
    void integerRangesAreExact() {
        check("{\"type\": \"integer\", \"minimum\": -5, \"maximum\": 120}",
                List.of("-5", "-1", "0", "7", "99", "100", "119", "120"),
                List.of("-6", "-0", "121", "130", "007", "1000", "-10", "200"));
        check("{\"type\": \"integer\", \"exclusiveMinimum\": 9, \"exclusiveMaximum\": 1001}",
                List.of("10", "55", "999", "1000"), List.of("9", "1001", "5", "10000"));
        check("{\"type\": \"integer\", \"minimum\": 37}", List.of("37", "99", "100", "123456"),
                List.of("36", "4", "-40"));
        check("{\"type\": \"integer\", \"maximum\": -12}", List.of("-12", "-13", "-999"),
                List.of("-11", "0", "5"));
        for (long lo = -30; lo <= 30; lo += 7) {
            for (long hi = lo; hi <= 130; hi += 13) {
                Grammar g = Grammar.fromJsonSchema("{\"type\": \"integer\", \"minimum\": " + lo + ", \"maximum\": "
                        + hi + "}");
                for (long v = -200; v <= 200; v++) {
                    assertEquals(v >= lo && v <= hi, g.matches(Long.toString(v)), "[" + lo + "," + hi + "] " + v);
                }
            }
        }
    }

    @Test
    void stringLengthsPatternsAndFormats() {
        check("{\"type\": \"string\", \"minLength\": 2, \"maxLength\": 4}",
                List.of("\"ab\"", "\"abcd\"", "\"中文字\"", "\"a\\n\"", "\"\\u00e9x\""),
                List.of("\"a\"", "\"abcde\"", "\"\""));
        check("{\"type\": \"string\", \"pattern\": \"^[A-Z]{2}-\\\\d{3}$\"}", List.of("\"AB-123\""),
                List.of("\"AB-12\"", "\"ab-123\"", "\"xAB-123\""));
        check("{\"type\": \"string\", \"pattern\": \"ab+c\"}", List.of("\"abc\"", "\"xxabbbcyy\""),
                List.of("\"ac\"", "\"abx\""));
        check("{\"type\": \"string\", \"pattern\": \"^(?:cat|dog)s?$\"}", List.of("\"cat\"", "\"dogs\""),
                List.of("\"cow\"", "\"cats!\""));
        check("{\"type\": \"string\", \"pattern\": \"^a\\\"b\\\\\\\\c$\"}", List.of("\"a\\\"b\\\\c\""),
                List.of("\"a\"b\\c\""));
        check("{\"type\": \"string\", \"format\": \"date\"}", List.of("\"2024-02-29\""),
                List.of("\"2024-13-01\"", "\"24-01-01\""));
        check("{\"type\": \"string\", \"format\": \"uuid\"}", List.of("\"123e4567-e89b-12d3-a456-426614174000\""),
                List.of("\"123e4567e89b12d3a456426614174000\""));
        check("{\"type\": \"string\", \"format\": \"date-time\"}", List.of("\"2024-01-02T03:04:05Z\"",
                "\"2024-01-02T03:04:05.123+02:00\""), List.of("\"2024-01-02 03:04:05Z\""));
    }

    @Test
    void anyOfOneOfAndRefs() {
        check("{\"anyOf\": [{\"type\": \"integer\"}, {\"type\": \"string\", \"maxLength\": 1}]}",
                List.of("1", "\"a\""), List.of("\"ab\"", "true"));
        check("{\"oneOf\": [{\"type\": \"boolean\"}, {\"type\": \"null\"}]}", List.of("true", "null"), List.of("0"));
        String tree = """
                {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object",
                  "properties": {"value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                  "required": ["value"]}}}""";
        check(tree, List.of("{\"value\": 1}", "{\"value\": 1, \"children\": [{\"value\": 2, \"children\": []},"
                        + " {\"value\": 3, \"children\": [{\"value\": 4}]}]}"),
                List.of("{\"children\": []}", "{\"value\": 1, \"children\": [{}]}"));
        check("{\"definitions\": {\"pos\": {\"type\": \"integer\", \"minimum\": 1}}, \"type\": \"array\","
                + " \"items\": {\"$ref\": \"#/definitions/pos\"}}", List.of("[1, 2]"), List.of("[0]"));
    }

    @Test
    void anyJsonGrammars() {
        Grammar any = Grammar.anyJson();
        for (String t : List.of("1", "\"s\"", "[1, {\"a\": null}]", "{}", "true")) {
            assertTrue(any.matches(t), t);
        }
        assertFalse(any.matches("{"));
        Grammar object = Grammar.anyJsonObject();
        assertTrue(object.matches("{\"a\": {\"b\": [1, 2.5, \"x\"]}}"));
        assertFalse(object.matches("[1]"));
        assertFalse(object.matches("\"a\""));
    }

    @Test
    void unsupportedOrInvalidPartsAreNamedByPointer() {
        assertPointer("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"number\", \"multipleOf\": 2}}}",
                "/properties/a/multipleOf", "not supported");
        assertPointer("{\"allOf\": [true]}", "/allOf", "not supported");
        assertPointer("{\"type\": \"strin\"}", "/type", "type must be one of");
        assertPointer("{\"items\": {\"$ref\": \"#/$defs/missing\"}}", "/items/$ref", "points at nothing");
        assertPointer("{\"$ref\": \"http://example.com/s.json\"}", "/$ref", "only local references");
        assertPointer("{\"type\": \"string\", \"pattern\": \"(?=a)b\"}", "/pattern", "lookaround");
        assertPointer("{\"type\": \"string\", \"pattern\": \"(a)\\\\1\"}", "/pattern", "not supported");
        assertPointer("{\"type\": \"number\", \"minimum\": 0}", "/minimum", "only supported for type integer");
        assertPointer("{\"type\": \"array\", \"minItems\": 3, \"maxItems\": 2}", "/maxItems", "below minItems");
        assertPointer("{\"enum\": []}", "/enum", "non-empty");
        assertPointer("false", "", "allows no value");
        assertPointer("{\"type\": ", "", "not valid JSON");
    }

    private static void assertPointer(String schema, String pointer, String message) {
        SchemaException e = assertThrows(SchemaException.class, () -> Grammar.fromJsonSchema(schema));
        assertEquals(pointer, e.pointer(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
