package io.qwen4j.core.constrain;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.util.List;

/** The schema the generation tests constrain to, and a strict check of a generated text against it. */
final class TestSchemas {

    /** An object, required properties, an enum, integer ranges, arrays with maxItems, a nested object, lengths. */
    static final String PET = """
            {
              "type": "object",
              "properties": {
                "name": {"type": "string", "maxLength": 12},
                "kind": {"enum": ["cat", "dog", "bird"]},
                "age": {"type": "integer", "minimum": -5, "maximum": 120},
                "tags": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 6}, "maxItems": 3},
                "owner": {
                  "type": "object",
                  "properties": {"id": {"type": "integer", "minimum": 0, "maximum": 999}, "vip": {"type": "boolean"}},
                  "required": ["id"],
                  "additionalProperties": false
                },
                "note": {"type": ["string", "null"], "maxLength": 20}
              },
              "required": ["name", "kind", "age", "owner"],
              "additionalProperties": false
            }""";

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Schema PET_VALIDATOR = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(PET, InputFormat.JSON);

    private TestSchemas() {
    }

    /** Null if {@code text} is one JSON value valid against {@link #PET}, else what is wrong. */
    static String petProblem(String text) {
        try {
            STRICT.readTree(text);
        } catch (JacksonException e) {
            return "not JSON: " + e.getOriginalMessage();
        }
        List<Error> errors = PET_VALIDATOR.validate(text, InputFormat.JSON);
        return errors.isEmpty() ? null : errors.toString();
    }
}
