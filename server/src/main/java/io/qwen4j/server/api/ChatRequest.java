package io.qwen4j.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwen4j.core.chat.Conversation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated {@code POST /v1/chat/completions} body. Messages and tools are kept as plain JSON values, the form
 * the model's chat template reads; text content parts are joined into one string, since Qwen's templates read
 * only string content.
 *
 * @param tools              the tools the template lists, or null (none, or tool_choice "none")
 * @param toolChoice         "auto", "none", "required", or the name of the one function to call
 * @param responseFormat     "text", "json_object" or "json_schema"
 * @param jsonSchema         the schema of a json_schema response format, else null
 * @param templateKwargs     chat_template_kwargs (e.g. enable_thinking), passed to the template
 * @param thinkingBudget     thinking_budget_tokens, or null for no budget
 * @param topLogprobs        -1 without logprobs, else how many alternatives each token lists
 */
record ChatRequest(List<Object> messages, List<Object> tools, String toolChoice, String responseFormat,
                   JsonNode jsonSchema, Map<String, Object> templateKwargs, Integer thinkingBudget, int topLogprobs,
                   SamplingFields sampling) {

    static final int MAX_TOP_LOGPROBS = 20;

    static ChatRequest parse(JsonNode body, int maxN) {
        Fields.string(body, "model", "model");
        List<Object> messages = messages(body);
        JsonNode toolsNode = Fields.array(body, "tools", "tools");
        List<Object> tools = toolsNode == null || toolsNode.isEmpty() ? null : tools(toolsNode);
        String toolChoice = toolChoice(body, tools);
        if ("none".equals(toolChoice)) {
            tools = null;
        }
        JsonNode format = Fields.object(body, "response_format", "response_format");
        String responseFormat = "text";
        JsonNode schema = null;
        if (format != null) {
            String type = Fields.string(format, "type", "response_format.type");
            if (type == null) {
                throw ApiException.invalid("response_format.type", "'response_format.type' is missing (text, json_object or json_schema)");
            }
            switch (type) {
                case "text", "json_object" -> responseFormat = type;
                case "json_schema" -> {
                    responseFormat = type;
                    JsonNode js = Fields.object(format, "json_schema", "response_format.json_schema");
                    if (js == null) {
                        throw ApiException.invalid("response_format.json_schema", "'response_format.json_schema' is missing");
                    }
                    schema = Fields.object(js, "schema", "response_format.json_schema.schema");
                    if (schema == null) {
                        throw ApiException.invalid("response_format.json_schema.schema", "'response_format.json_schema.schema' is missing");
                    }
                }
                default -> throw ApiException.invalid("response_format.type",
                        "'response_format.type' must be text, json_object or json_schema, got '" + type + "'");
            }
        }
        JsonNode kwargsNode = Fields.object(body, "chat_template_kwargs", "chat_template_kwargs");
        @SuppressWarnings("unchecked")
        Map<String, Object> kwargs = kwargsNode == null ? Map.of() : (Map<String, Object>) Json.plain(kwargsNode);
        Long budget = Fields.integer(body, "thinking_budget_tokens", 0, Integer.MAX_VALUE);
        Boolean logprobs = Fields.bool(body, "logprobs");
        Long top = Fields.integer(body, "top_logprobs", 0, MAX_TOP_LOGPROBS);
        if (top != null && (logprobs == null || !logprobs)) {
            throw ApiException.invalid("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        }
        int topLogprobs = logprobs != null && logprobs ? (top == null ? 0 : top.intValue()) : -1;
        String maxField = Fields.get(body, "max_completion_tokens") != null ? "max_completion_tokens" : "max_tokens";
        SamplingFields sampling = SamplingFields.parse(body, maxField, maxN);
        return new ChatRequest(messages, tools, toolChoice, responseFormat, schema, kwargs,
                budget == null ? null : budget.intValue(), topLogprobs, sampling);
    }

    private static List<Object> messages(JsonNode body) {
        JsonNode node = Fields.array(body, "messages", "messages");
        if (node == null || node.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty array of messages");
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) {
                throw Fields.wrongType(at, "an object with a role and a content", m);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> message = new LinkedHashMap<>((Map<String, Object>) Json.plain(m));
            JsonNode content = Fields.get(m, "content");
            if (content != null && content.isArray()) {
                message.put("content", joinTextParts(content, at + ".content"));
            }
            for (String key : List.of("name", "tool_call_id")) {
                Fields.string(m, key, at + "." + key);
            }
            out.add(message);
        }
        try {
            Conversation.validate(out);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int end = message.indexOf(' ');
            String param = end > 0 ? message.substring(0, end).replaceAll("[:.]$", "") : "messages";
            throw ApiException.invalid(param, message);
        }
        return out;
    }

    private static String joinTextParts(JsonNode parts, String at) {
        StringBuilder text = new StringBuilder();
        for (int p = 0; p < parts.size(); p++) {
            JsonNode part = parts.get(p);
            String path = at + "[" + p + "]";
            if (!part.isObject()) {
                throw Fields.wrongType(path, "an object such as {\"type\": \"text\", \"text\": \"...\"}", part);
            }
            String type = Fields.string(part, "type", path + ".type");
            if (!"text".equals(type)) {
                throw ApiException.invalid(path + ".type", "'" + path + ".type' must be \"text\": this model reads text only, got "
                        + (type == null ? "nothing" : "'" + type + "'"));
            }
            String t = Fields.string(part, "text", path + ".text");
            text.append(t == null ? "" : t);
        }
        return text.toString();
    }

    private static List<Object> tools(JsonNode node) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            String at = "tools[" + i + "]";
            if (!t.isObject()) {
                throw Fields.wrongType(at, "an object {\"type\": \"function\", \"function\": {...}}", t);
            }
            String type = Fields.string(t, "type", at + ".type");
            if (!"function".equals(type)) {
                throw ApiException.invalid(at + ".type", "'" + at + ".type' must be \"function\", got " + (type == null ? "nothing" : "'" + type + "'"));
            }
            JsonNode f = Fields.object(t, "function", at + ".function");
            if (f == null) {
                throw ApiException.invalid(at + ".function", "'" + at + ".function' is missing");
            }
            String name = Fields.string(f, "name", at + ".function.name");
            if (name == null || name.isEmpty()) {
                throw ApiException.invalid(at + ".function.name", "'" + at + ".function.name' is missing");
            }
            Fields.string(f, "description", at + ".function.description");
            Fields.object(f, "parameters", at + ".function.parameters");
            out.add(Json.plain(t));
        }
        return out;
    }

    private static String toolChoice(JsonNode body, List<Object> tools) {
        JsonNode v = Fields.get(body, "tool_choice");
        if (v == null) {
            return "auto";
        }
        if (v.isTextual()) {
            String s = v.asText();
            if (!List.of("auto", "none", "required").contains(s)) {
                throw ApiException.invalid("tool_choice", "'tool_choice' must be auto, none, required or {\"type\": \"function\", \"function\": {\"name\": ...}}, got '" + s + "'");
            }
            if ("required".equals(s) && tools == null) {
                throw ApiException.invalid("tool_choice", "'tool_choice' is required but no 'tools' are given");
            }
            return s;
        }
        if (!v.isObject()) {
            throw Fields.wrongType("tool_choice", "a string or an object", v);
        }
        JsonNode f = Fields.object(v, "function", "tool_choice.function");
        String name = f == null ? null : Fields.string(f, "name", "tool_choice.function.name");
        if (name == null) {
            throw ApiException.invalid("tool_choice.function.name", "'tool_choice.function.name' is missing");
        }
        if (tools == null || tools.stream().noneMatch(t -> name.equals(((Map<?, ?>) ((Map<?, ?>) t).get("function")).get("name")))) {
            throw ApiException.invalid("tool_choice.function.name", "'tool_choice' names the function '" + name + "', which is not among the 'tools'");
        }
        return name;
    }
}
