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

    private final ChatTemplate template;
    private final Map<String, Object> specialTokens;

    /**
     * @param specialTokens e.g. {@code eos_token -> "<|im_end|>"}; kwargs override them, as in transformers
     * @throws TemplateException when the template does not parse (with line and column)
     */
    public ChatFormat(String templateSource, Map<String, Object> specialTokens) {
        this.template = ChatTemplate.compile(templateSource);
        this.specialTokens = Map.copyOf(specialTokens);
    }

    /** Renders typed messages. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> kwargs) {
        return renderValues(messages.stream().map(ChatMessage::toTemplateValue).toList(), null,
                addGenerationPrompt, kwargs);
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
}
