package io.qwen4j.core.chat;

import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.GenerationResult;
import io.qwen4j.core.generate.Generator;
import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.model.ContextOverflowException;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A multi-turn conversation with one model. Each turn renders the whole conversation with the model's chat template,
 * as Hugging Face does, but only the tokens after the longest prefix already in the KV cache are processed: earlier
 * turns are never computed twice. (When the template rewrites history, e.g. Qwen3 dropping old thinking, the cache
 * is kept up to the first token that changed.)
 *
 * <p>Answers are kept taken apart (content, reasoning, tool calls), so the template renders them back as it expects.
 * When an answer calls tools, run them and {@link #send(List, Consumer, BooleanSupplier) send} the results as
 * {@link ChatMessage#toolResult tool messages}: the model then continues with them.
 */
public final class ChatSession {

    private final Session session;
    private final Tokenizer tokenizer;
    private final ChatFormat format;
    private final GenerateOptions options;
    private final Map<String, Object> templateKwargs;
    private final List<Object> tools;
    private final String systemPrompt;
    private final List<ChatMessage> messages = new ArrayList<>();
    private int[] cachedIds = new int[0];

    /**
     * @param systemPrompt    the first message of every conversation, or null for the template's default
     * @param templateKwargs  extra template variables, e.g. {@code enable_thinking}
     */
    public ChatSession(Session session, Tokenizer tokenizer, ChatFormat format, GenerateOptions options,
                       String systemPrompt, Map<String, Object> templateKwargs) {
        this(session, tokenizer, format, options, systemPrompt, templateKwargs, List.of());
    }

    /** @param tools OpenAI function tools as JSON values ({@link Tools#parse}), rendered into every prompt */
    public ChatSession(Session session, Tokenizer tokenizer, ChatFormat format, GenerateOptions options,
                       String systemPrompt, Map<String, Object> templateKwargs, List<?> tools) {
        this.session = session;
        this.tokenizer = tokenizer;
        this.format = format;
        this.options = options;
        this.systemPrompt = systemPrompt;
        this.templateKwargs = Map.copyOf(templateKwargs);
        this.tools = Tools.validate(tools);
        clear();
    }

    /** Sends a user message and streams the answer's text (think block and tool calls included) to {@code onText}. */
    public ChatReply send(String userText, Consumer<String> onText) {
        return send(userText, onText, () -> false);
    }

    /**
     * Sends a user message and streams the answer; {@code cancelled} is polled before each token (Ctrl-C).
     * A cancelled answer stays in the conversation as far as it got.
     */
    public ChatReply send(String userText, Consumer<String> onText, BooleanSupplier cancelled) {
        return reply(List.of(ChatMessage.user(userText)), onText, null, cancelled);
    }

    /**
     * Adds messages (a user turn, tool results) and streams the answer taken apart: reasoning and content pieces and
     * tool calls, each as soon as it is final.
     */
    public ChatReply send(List<ChatMessage> newMessages, Consumer<OutputEvent> onEvent, BooleanSupplier cancelled) {
        if (newMessages.isEmpty()) {
            throw new IllegalArgumentException("nothing to send: no messages");
        }
        return reply(newMessages, null, onEvent, cancelled);
    }

    private ChatReply reply(List<ChatMessage> newMessages, Consumer<String> onText, Consumer<OutputEvent> onEvent,
                            BooleanSupplier cancelled) {
        messages.addAll(newMessages);
        int[] prompt;
        try {
            prompt = tokenizer.encode(format.render(messages, tools, true, templateKwargs));
            if (prompt.length >= session.contextLength()) {
                throw new ContextOverflowException(0, prompt.length, session.contextLength());
            }
        } catch (RuntimeException e) {
            messages.subList(messages.size() - newMessages.size(), messages.size()).clear();
            throw e;
        }
        // keep at least one token to process: its logits choose the first answer token
        int reuse = Math.min(commonPrefix(cachedIds, prompt), prompt.length - 1);
        session.rewind(Math.min(reuse, session.position()));
        reuse = session.position();
        GenerationResult r = Generator.generate(session, tokenizer, prompt, reuse, options, onText, onEvent, cancelled);
        messages.add(ChatMessage.assistant(r.output()));
        // the KV cache now holds the prompt and every generated token except the last
        int[] all = Arrays.copyOf(prompt, prompt.length + r.ids().length);
        System.arraycopy(r.ids(), 0, all, prompt.length, r.ids().length);
        cachedIds = Arrays.copyOf(all, session.position());
        return new ChatReply(r.text(), r.finishReason(), reuse, r.timings(), r.output(), r.usage());
    }

    /** Forgets the conversation (keeps the system prompt). */
    public void clear() {
        messages.clear();
        if (systemPrompt != null) {
            messages.add(ChatMessage.system(systemPrompt));
        }
        cachedIds = new int[0];
        session.reset();
    }

    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
