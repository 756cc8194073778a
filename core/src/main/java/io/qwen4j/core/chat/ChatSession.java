package io.qwen4j.core.chat;

import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.GenerationResult;
import io.qwen4j.core.generate.Generator;
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
 */
public final class ChatSession {

    private final Session session;
    private final Tokenizer tokenizer;
    private final ChatFormat format;
    private final GenerateOptions options;
    private final Map<String, Object> templateKwargs;
    private final String systemPrompt;
    private final List<ChatMessage> messages = new ArrayList<>();
    private int[] cachedIds = new int[0];

    /**
     * @param systemPrompt    the first message of every conversation, or null for the template's default
     * @param templateKwargs  extra template variables, e.g. {@code enable_thinking}
     */
    public ChatSession(Session session, Tokenizer tokenizer, ChatFormat format, GenerateOptions options,
                       String systemPrompt, Map<String, Object> templateKwargs) {
        this.session = session;
        this.tokenizer = tokenizer;
        this.format = format;
        this.options = options;
        this.systemPrompt = systemPrompt;
        this.templateKwargs = Map.copyOf(templateKwargs);
        clear();
    }

    /** Sends a user message and streams the answer to {@code onText}. */
    public ChatReply send(String userText, Consumer<String> onText) {
        return send(userText, onText, () -> false);
    }

    /**
     * Sends a user message and streams the answer; {@code cancelled} is polled before each token (Ctrl-C).
     * A cancelled answer stays in the conversation as far as it got.
     */
    public ChatReply send(String userText, Consumer<String> onText, BooleanSupplier cancelled) {
        messages.add(ChatMessage.user(userText));
        int[] prompt;
        try {
            prompt = tokenizer.encode(format.render(messages, true, templateKwargs));
        } catch (RuntimeException e) {
            messages.removeLast();
            throw e;
        }
        if (prompt.length >= session.contextLength()) {
            messages.removeLast();
            throw new io.qwen4j.core.model.ContextOverflowException(0, prompt.length, session.contextLength());
        }
        // keep at least one token to process: its logits choose the first answer token
        int reuse = Math.min(commonPrefix(cachedIds, prompt), prompt.length - 1);
        session.rewind(Math.min(reuse, session.position()));
        reuse = session.position();
        GenerationResult r = Generator.generate(session, tokenizer, prompt, reuse, options, onText, cancelled);
        messages.add(ChatMessage.assistant(r.text()));
        // the KV cache now holds the prompt and every generated token except the last
        int[] all = Arrays.copyOf(prompt, prompt.length + r.ids().length);
        System.arraycopy(r.ids(), 0, all, prompt.length, r.ids().length);
        cachedIds = Arrays.copyOf(all, session.position());
        return new ChatReply(r.text(), r.finishReason(), reuse, r.timings());
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
