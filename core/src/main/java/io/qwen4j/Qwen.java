package io.qwen4j;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.chat.ChatFormat;
import io.qwen4j.core.chat.ChatOptions;
import io.qwen4j.core.chat.ChatSession;
import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.GenerationResult;
import io.qwen4j.core.generate.Generator;
import io.qwen4j.core.model.Model;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The library's front door: load a Qwen model from a GGUF file or a Hugging Face folder, then chat with it
 * (the model's own chat template, multi-turn with the KV cache kept between turns, thinking and tool calls taken
 * apart) or continue raw text.
 *
 * <pre>{@code
 * try (Qwen qwen = Qwen.load(Path.of("Qwen3-0.6B-Q8_0.gguf"))) {
 *     ChatSession chat = qwen.chat(ChatOptions.builder().system("You are a helpful assistant.").build());
 *     chat.send("Give me three names for a cat.", System.out::print);
 * }
 * }</pre>
 */
public final class Qwen implements AutoCloseable {

    private final Model model;

    private Qwen(Model model) {
        this.model = model;
    }

    public static Qwen load(Path path) {
        return new Qwen(Model.load(path));
    }

    public Model model() {
        return model;
    }

    /**
     * A new conversation. Stops at the model's end-of-generation tokens and at {@code options.stop()}; without a
     * sampler in the options, each turn samples with Qwen's recommended settings for its mode (thinking or not).
     */
    public ChatSession chat(ChatOptions options) {
        ChatFormat format = model.chatFormat().orElseThrow(() -> new ModelFormatException(model.path(),
                "the model has no chat template; use generate() with a raw prompt"));
        int ctx = options.contextLength() > 0 ? options.contextLength() : model.defaultContextLength();
        GenerateOptions generate = new GenerateOptions(options.maxTokens(), options.sampler(),
                model.endOfGenerationIds(), options.stop()).withThinkingBudget(options.thinkingBudget());
        return new ChatSession(model.newSession(ctx), model.tokenizer(), format, generate, options.system(),
                options.templateKwargs(), options.tools());
    }

    public ChatSession chat() {
        return chat(ChatOptions.defaults());
    }

    /** Continues {@code prompt} as it is (no chat template; special tokens written in it are parsed). */
    public GenerationResult generate(String prompt, GenerateOptions options, Consumer<String> onText) {
        int[] ids = model.tokenizer().encode(prompt);
        if (ids.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        return Generator.generate(model.newSession(model.defaultContextLength()), model.tokenizer(), ids, options, onText);
    }

    @Override
    public void close() {
        model.close();
    }
}
