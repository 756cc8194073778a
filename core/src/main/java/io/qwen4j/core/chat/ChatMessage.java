package io.qwen4j.core.chat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation.
 *
 * @param role             system, user, assistant or tool
 * @param content          the text (may be empty)
 * @param reasoningContent an assistant's thinking, kept apart from its answer (null when there is none)
 */
public record ChatMessage(String role, String content, String reasoningContent) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (!Conversation.ROLES.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + role + "' (expected " + Conversation.ROLES_TEXT + ")");
        }
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

    /** The form a chat template reads: {@code {"role": ..., "content": ..., "reasoning_content": ...}}. */
    public Map<String, Object> toTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        if (reasoningContent != null) {
            m.put("reasoning_content", reasoningContent);
        }
        return m;
    }
}
