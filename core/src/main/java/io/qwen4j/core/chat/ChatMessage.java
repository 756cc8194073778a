package io.qwen4j.core.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwen4j.core.generate.output.ParsedOutput;
import io.qwen4j.core.generate.output.ToolCall;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation.
 *
 * @param role             system, user, assistant or tool
 * @param content          the text (may be empty)
 * @param reasoningContent an assistant's thinking, kept apart from its answer (null when there is none)
 * @param toolCalls        the functions an assistant called (empty for other roles)
 * @param toolCallId       for a tool message: the id of the call it answers (may be null)
 */
public record ChatMessage(String role, String content, String reasoningContent, List<ToolCall> toolCalls,
                          String toolCallId) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (!Conversation.ROLES.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + role + "' (expected " + Conversation.ROLES_TEXT + ")");
        }
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        if (!toolCalls.isEmpty() && !role.equals("assistant")) {
            throw new IllegalArgumentException("only an assistant message has tool calls, not a " + role + " message");
        }
        if (toolCallId != null && !role.equals("tool")) {
            throw new IllegalArgumentException("only a tool message answers a tool call id, not a " + role + " message");
        }
    }

    public ChatMessage(String role, String content, String reasoningContent) {
        this(role, content, reasoningContent, List.of(), null);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content, null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content, null);
    }

    /** An assistant turn with its reasoning (or null) and the functions it called. */
    public static ChatMessage assistant(String content, String reasoningContent, List<ToolCall> toolCalls) {
        return new ChatMessage("assistant", content, reasoningContent, toolCalls, null);
    }

    /** The assistant turn a generation wrote: its answer, reasoning and calls. */
    public static ChatMessage assistant(ParsedOutput output) {
        return assistant(output.content(), output.reasoning(), output.toolCalls());
    }

    /** The result of a tool call, for the model to read. */
    public static ChatMessage tool(String content) {
        return new ChatMessage("tool", content, null, List.of(), null);
    }

    /** The result of the call with id {@code toolCallId}. */
    public static ChatMessage toolResult(String toolCallId, String content) {
        return new ChatMessage("tool", content, null, List.of(), Objects.requireNonNull(toolCallId, "toolCallId"));
    }

    /** The form a chat template reads, with each call's arguments as a JSON object (every Qwen template takes it). */
    public Map<String, Object> toTemplateValue() {
        return toTemplateValue(false);
    }

    /**
     * The form a chat template reads: {@code {"role", "content", "reasoning_content", "tool_calls": [{"id", "type":
     * "function", "function": {"name", "arguments"}}], "tool_call_id"}}, as OpenAI's API and the Qwen templates
     * spell it.
     *
     * @param argumentsAsText pass each call's arguments as the JSON text (Qwen3's template writes a string as it is,
     *                        keeping the model's own spelling); otherwise as the parsed object, which templates that
     *                        always apply {@code tojson} need (a string would come out quoted)
     */
    public Map<String, Object> toTemplateValue(boolean argumentsAsText) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        if (reasoningContent != null) {
            m.put("reasoning_content", reasoningContent);
        }
        if (!toolCalls.isEmpty()) {
            m.put("tool_calls", toolCalls.stream().map(c -> callValue(c, argumentsAsText)).toList());
        }
        if (toolCallId != null) {
            m.put("tool_call_id", toolCallId);
        }
        return m;
    }

    private static Map<String, Object> callValue(ToolCall call, boolean argumentsAsText) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", call.name());
        function.put("arguments", argumentsAsText ? call.argumentsJson() : parseArguments(call.argumentsJson()));
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("id", call.id());
        value.put("type", "function");
        value.put("function", function);
        return value;
    }

    /** Arguments as ordered JSON values; text that is not JSON stays text (the template shows it as it is). */
    private static Object parseArguments(String json) {
        try {
            return JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            return json;
        }
    }
}
