package io.qwen4j.core.chat;

import io.qwen4j.core.chat.template.ChatTemplate;
import io.qwen4j.core.chat.template.TemplateException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a conversation into the prompt text with the model's own Jinja chat template, passing the variables
 * Hugging Face's {@code apply_chat_template} passes: {@code messages}, {@code tools}, {@code documents},
 * {@code add_generation_prompt}, the special tokens, and any extra template kwargs (e.g. {@code enable_thinking}).
 */
public final class ChatFormat {

    private static final String PROBE_ARGUMENTS = "{\"qwen4j_probe\": 1}";

    private final ChatTemplate template;
    private final Map<String, Object> specialTokens;
    private final boolean argumentsAsText;

    /**
     * @param specialTokens e.g. {@code eos_token -> "<|im_end|>"}; kwargs override them, as in transformers
     * @throws TemplateException when the template does not parse (with line and column)
     */
    public ChatFormat(String templateSource, Map<String, Object> specialTokens) {
        this.template = ChatTemplate.compile(templateSource);
        this.specialTokens = Map.copyOf(specialTokens);
        this.argumentsAsText = writesStringArgumentsAsTheyAre();
    }

    /** Renders typed messages. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> kwargs) {
        return render(messages, null, addGenerationPrompt, kwargs);
    }

    /**
     * Renders typed messages with the tools the model may call.
     *
     * @param tools OpenAI function tools {@code [{"type": "function", "function": {"name", "description",
     *              "parameters"}}]} as JSON values (see {@link Tools#parse}); null or empty for none
     */
    public String render(List<ChatMessage> messages, List<?> tools, boolean addGenerationPrompt,
                         Map<String, Object> kwargs) {
        return renderValues(messages.stream().map(m -> m.toTemplateValue(argumentsAsText)).toList(),
                tools == null || tools.isEmpty() ? null : tools, addGenerationPrompt, kwargs);
    }

    /**
     * Renders messages and tools given as JSON values (maps, lists, strings, numbers).
     *
     * @param tools null when no tools are given (the template sees None)
     * @throws IllegalArgumentException for a malformed conversation, naming the message and field
     * @throws TemplateException        when the template raises an exception or fails
     */
    public String renderValues(List<?> messages, List<?> tools, boolean addGenerationPrompt, Map<String, Object> kwargs) {
        Conversation.validate(messages);
        Map<String, Object> vars = new HashMap<>(specialTokens);
        vars.put("messages", messages);
        vars.put("tools", tools);
        vars.put("documents", null);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.putAll(kwargs);
        return template.render(vars);
    }

    /**
     * Whether the template writes a tool call's arguments given as a string as they are (Qwen3 does), rather than
     * through {@code tojson} (Qwen2.5, QwQ). Found by rendering a call: the answer decides how typed calls are passed,
     * so a generated call renders back exactly as the model wrote it wherever the template allows.
     */
    private boolean writesStringArgumentsAsTheyAre() {
        List<Map<String, Object>> probe = List.of(Map.of("role", "user", "content", "?"),
                Map.of("role", "assistant", "content", "", "tool_calls",
                        List.of(Map.of("type", "function", "function", Map.of("name", "f", "arguments", PROBE_ARGUMENTS)))));
        try {
            return renderValues(probe, null, false, Map.of()).contains(PROBE_ARGUMENTS);
        } catch (RuntimeException e) {
            return false; // a template without tool calls: the choice does not matter
        }
    }
}
