package io.qwen4j.cli;

import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.GenerationResult;
import io.qwen4j.core.generate.Generator;
import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.Session;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qwen4j generate}: continue a prompt. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate a continuation of a prompt, streamed to stdout; speed goes to stderr.")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file or Hugging Face folder")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, description = "the prompt text")
    String prompt;

    @Option(names = "--raw", required = true,
            description = "use the prompt as it is, without a chat template (special tokens in it are parsed)")
    boolean raw;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "256", description = "tokens to generate at most (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--json", description = "print one JSON object: prompt_ids, ids, text, finish_reason, timings")
    boolean json;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() {
        runtime.apply();
        try (Model m = ModelLoading.load(model)) {
            int[] promptIds = m.tokenizer().encode(prompt);
            if (promptIds.length == 0) {
                throw new UserInputException("the prompt is empty");
            }
            Session session = m.newSession(runtime.contextLength(m));
            GenerateOptions options = new GenerateOptions(maxTokens, sampling.config(), m.endOfGenerationIds(),
                    sampling.stopStrings());
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

    static Map<String, Object> toJson(GenerationResult r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("prompt_ids", r.promptIds());
        o.put("ids", r.ids());
        o.put("text", r.text());
        o.put("finish_reason", r.finishReason().apiName);
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
}
