package io.qwen4j.cli;

import io.qwen4j.core.chat.ChatFormat;
import io.qwen4j.core.chat.ChatMessage;
import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.GenerationResult;
import io.qwen4j.core.generate.Generator;
import io.qwen4j.core.generate.RecommendedSampling;
import io.qwen4j.core.generate.output.ThinkingStart;
import io.qwen4j.core.generate.output.ToolCall;
import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.Session;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qwen4j generate}: continue a prompt. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Answer a prompt (as one user turn through the model's chat template) or, with --raw, continue it as it is. The text streams to stdout; speed goes to stderr.")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file or Hugging Face folder")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, description = "the prompt text")
    String prompt;

    @Option(names = "--raw",
            description = "use the prompt as it is, without the chat template (special tokens in it are parsed)")
    boolean raw;

    @Option(names = "--system", description = "system prompt (with the chat template)")
    String system;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "256", description = "tokens to generate at most (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--json", description = "print one JSON object: prompt_ids, ids, text, reasoning, content, tool_calls, tool_call_errors, finish_reason, usage, timings")
    boolean json;

    @Mixin
    ReasoningOptions reasoning;

    @Mixin
    ConstraintOptions constraint;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    RuntimeOptions runtime;

    @Mixin
    CacheOptions cache;

    @Override
    public Integer call() {
        runtime.apply();
        try (Model m = ModelLoading.load(model, runtime)) {
            String text = raw ? rawPrompt() : applyChatTemplate(m);
            int[] promptIds = m.tokenizer().encode(text);
            if (promptIds.length == 0) {
                throw new UserInputException("the prompt is empty");
            }
            Session session = cache.newSession(m, runtime);
            boolean thinking = RecommendedSampling.isThinking(ThinkingStart.ofPrompt(text), m.tokenizer());
            GenerateOptions options = new GenerateOptions(maxTokens, sampling.config(thinking), m.endOfGenerationIds(),
                    sampling.stopStrings()).withThinkingBudget(reasoning.budget()).withConstraint(constraint.constraint(m));
            PrintWriter out = spec.commandLine().getOut();
            GenerationResult r = Generator.generate(session, m.tokenizer(), promptIds, options, json ? null : piece -> {
                out.print(piece);
                out.flush();
            });
            if (json) {
                out.println(Json.write(toJson(r)));
            } else {
                out.println();
            }
            out.flush();
            var t = r.timings();
            spec.commandLine().getErr().printf("prompt: %d tokens, %.1f tokens/s | generation: %d tokens, %.1f tokens/s | finish: %s%n",
                    t.promptTokens(), t.promptTokensPerSecond(), t.generatedTokens(), t.generationTokensPerSecond(),
                    r.finishReason().apiName);
            return 0;
        }
    }

    private String rawPrompt() {
        if (system != null) {
            throw new UserInputException("--system needs the chat template: drop --raw");
        }
        String flag = reasoning.templateFlag();
        if (flag != null) {
            throw new UserInputException(flag + " needs the chat template: drop --raw");
        }
        return prompt;
    }

    /** The prompt as one user turn (after the system prompt) with the model's template, ready for the answer. */
    private String applyChatTemplate(Model m) {
        ChatFormat format = m.chatFormat().orElseThrow(() -> new UserInputException(
                m.path() + ": the model has no chat template; use --raw"));
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null) {
            messages.add(ChatMessage.system(system));
        }
        messages.add(ChatMessage.user(prompt));
        return format.render(messages, reasoning.tools(), true, reasoning.templateKwargs());
    }

    static Map<String, Object> toJson(GenerationResult r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("prompt_ids", r.promptIds());
        o.put("ids", r.ids());
        o.put("text", r.text());
        o.put("reasoning", r.output().reasoning());
        o.put("content", r.output().content());
        o.put("tool_calls", r.output().toolCalls().stream().map(GenerateCommand::toolCallJson).toList());
        o.put("tool_call_errors", r.output().toolCallErrors().stream()
                .map(e -> Map.of("raw", e.raw(), "error", e.error())).toList());
        o.put("finish_reason", r.finishReason().apiName);
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", r.usage().promptTokens());
        usage.put("completion_tokens", r.usage().completionTokens());
        usage.put("reasoning_tokens", r.usage().reasoningTokens());
        o.put("usage", usage);
        var t = r.timings();
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("prompt_tokens", t.promptTokens());
        timings.put("prompt_ms", t.promptNanos() / 1e6);
        timings.put("prompt_tokens_per_second", t.promptTokensPerSecond());
        timings.put("generated_tokens", t.generatedTokens());
        timings.put("generation_ms", t.generationNanos() / 1e6);
        timings.put("generation_tokens_per_second", t.generationTokensPerSecond());
        o.put("timings", timings);
        return o;
    }

    /** OpenAI's shape: {@code {"id", "type": "function", "function": {"name", "arguments": "<JSON text>"}}}. */
    static Map<String, Object> toolCallJson(ToolCall call) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", call.name());
        function.put("arguments", call.argumentsJson());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", call.id());
        o.put("type", "function");
        o.put("function", function);
        return o;
    }
}
