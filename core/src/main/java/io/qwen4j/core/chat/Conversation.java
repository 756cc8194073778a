package io.qwen4j.core.chat;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a conversation given as plain JSON values (as the {@code template} command and the server receive it)
 * before a template sees it, so that a wrong role or field type is reported by its place, not as a template error.
 */
public final class Conversation {

    static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");
    static final String ROLES_TEXT = "system, user, assistant or tool";

    private Conversation() {
    }

    /** @throws IllegalArgumentException naming the message and field, e.g. {@code messages[2].role} */
    public static void validate(Object messages) {
        if (!(messages instanceof List<?> list)) {
            throw new IllegalArgumentException("messages must be a list of message objects");
        }
        for (int i = 0; i < list.size(); i++) {
            String at = "messages[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(at + " must be an object with a role and a content");
            }
            if (!(m.get("role") instanceof String role)) {
                throw new IllegalArgumentException(at + ".role must be a string" + (m.containsKey("role") ? "" : " (it is missing)"));
            }
            if (!ROLES.contains(role)) {
                throw new IllegalArgumentException(at + ".role: unknown role '" + role + "' (expected " + ROLES_TEXT + ")");
            }
            Object content = m.get("content");
            if (content != null && !(content instanceof String) && !(content instanceof List<?>)) {
                throw new IllegalArgumentException(at + ".content must be a string, a list of parts or null");
            }
            if (content instanceof List<?> parts) {
                for (int p = 0; p < parts.size(); p++) {
                    if (!(parts.get(p) instanceof Map<?, ?>)) {
                        throw new IllegalArgumentException(at + ".content[" + p + "] must be an object such as {\"type\": \"text\", \"text\": ...}");
                    }
                }
            }
            Object reasoning = m.get("reasoning_content");
            if (reasoning != null && !(reasoning instanceof String)) {
                throw new IllegalArgumentException(at + ".reasoning_content must be a string");
            }
            Object toolCalls = m.get("tool_calls");
            if (toolCalls != null && !(toolCalls instanceof List<?>)) {
                throw new IllegalArgumentException(at + ".tool_calls must be a list");
            }
        }
    }
}
