package io.qwen4j.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwen4j.core.constrain.Grammar;
import io.qwen4j.core.constrain.GrammarException;
import io.qwen4j.core.constrain.SchemaException;
import io.qwen4j.core.constrain.TokenConstraint;
import io.qwen4j.core.constrain.TokenVocabulary;
import io.qwen4j.core.model.Model;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The grammar a chat request puts on its answer, built with core's constrained decoding: {@code response_format}
 * json_object (any JSON object) or json_schema (that schema), or a forced tool call ({@code tool_choice}
 * "required" or a named function). A forced call starts with {@code <tool_call>} fed as if the model wrote it
 * (the grammar cannot produce that added token), then the grammar allows only {@code {"name": ..., "arguments":
 * ...}} for the allowed functions, arguments per their parameters schema.
 */
final class Constraints {

    static final String TOOL_CALL_PREFIX = "<tool_call>\n";

    private Constraints() {
    }

    static boolean forcesToolCall(ChatRequest r) {
        return r.tools() != null && !"auto".equals(r.toolChoice()) && !"none".equals(r.toolChoice());
    }

    /** A fresh-constraint supplier for the request, or null when its answer is free. */
    static Supplier<TokenConstraint> forRequest(ChatRequest r, Model model) {
        Grammar grammar;
        if (forcesToolCall(r)) {
            if (!"text".equals(r.responseFormat())) {
                throw ApiException.invalid("response_format", "'response_format' " + r.responseFormat()
                        + " cannot be combined with a forced tool call ('tool_choice' " + r.toolChoice() + ")");
            }
            grammar = compile(toolCallSchema(r).toString(), "tools");
        } else {
            grammar = switch (r.responseFormat()) {
                case "json_object" -> Grammar.anyJsonObject();
                case "json_schema" -> compile(r.jsonSchema().toString(), "response_format.json_schema.schema");
                default -> null;
            };
        }
        if (grammar == null) {
            return null;
        }
        TokenVocabulary vocabulary = TokenVocabulary.of(model.tokenizer(), model.config().vocabSize(),
                model.endOfGenerationIds());
        return () -> grammar.newConstraint(vocabulary);
    }

    private static Grammar compile(String schema, String param) {
        try {
            return Grammar.fromJsonSchema(schema);
        } catch (SchemaException e) {
            throw ApiException.invalid(param, "'" + param + "' is not a JSON schema this server can enforce: "
                    + e.getMessage());
        } catch (GrammarException e) {
            throw ApiException.invalid(param, "'" + param + "' gives no usable grammar: " + e.getMessage());
        }
    }

    /** {@code {"name": <one of the allowed functions>, "arguments": <its parameters>}}. */
    private static ObjectNode toolCallSchema(ChatRequest r) {
        ArrayNode options = Json.MAPPER.createArrayNode();
        for (Object t : r.tools()) {
            Map<?, ?> function = (Map<?, ?>) ((Map<?, ?>) t).get("function");
            String name = (String) function.get("name");
            if (!"required".equals(r.toolChoice()) && !name.equals(r.toolChoice())) {
                continue;
            }
            ObjectNode call = options.addObject();
            call.put("type", "object");
            ObjectNode props = call.putObject("properties");
            props.putObject("name").put("const", name);
            Object parameters = function.get("parameters");
            props.set("arguments", parameters == null ? Json.object().put("type", "object") : Json.MAPPER.valueToTree(parameters));
            call.putArray("required").add("name").add("arguments");
            call.put("additionalProperties", false);
        }
        if (options.size() == 1) {
            return (ObjectNode) options.get(0);
        }
        ObjectNode any = Json.object();
        any.set("anyOf", options);
        return any;
    }
}
