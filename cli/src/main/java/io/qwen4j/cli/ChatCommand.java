package io.qwen4j.cli;

import io.qwen4j.core.chat.ChatFormat;
import io.qwen4j.core.chat.ChatMessage;
import io.qwen4j.core.chat.ChatReply;
import io.qwen4j.core.chat.ChatSession;
import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.RecommendedSampling;
import io.qwen4j.core.generate.output.ThinkingStart;
import io.qwen4j.core.model.ContextOverflowException;
import io.qwen4j.core.model.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code qwen4j chat}: an interactive conversation on stdin/stdout. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat with a model: type a message and press Enter; the answer streams back.",
                "Reasoning shows dimmed before the answer; tool calls show on their own lines, and /tool TEXT sends a tool's result.",
                "/clear starts a new conversation, /exit (or end of input) quits; Ctrl-C stops the current answer."})
final class ChatCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file or Hugging Face folder")
    Path model;

    @Option(names = "--system", description = "system prompt")
    String system;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "1024", description = "longest answer in tokens (default ${DEFAULT-VALUE})")
    int maxTokens;

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
    public Integer call() throws IOException {
        runtime.apply();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Model m = ModelLoading.load(model, runtime)) {
            ChatFormat format = m.chatFormat().orElseThrow(() -> new UserInputException(
                    m.path() + ": the model has no chat template; use generate --raw"));
            var kwargs = reasoning.templateKwargs();
            var tools = reasoning.tools();
            // the mode as the template renders it (QwQ thinks whatever enable_thinking says)
            String probe = format.render(List.of(ChatMessage.user("?")), tools, true, kwargs);
            boolean thinking = RecommendedSampling.isThinking(ThinkingStart.ofPrompt(probe), m.tokenizer());
            GenerateOptions options = new GenerateOptions(maxTokens, sampling.config(thinking), m.endOfGenerationIds(),
                    sampling.stopStrings()).withThinkingBudget(reasoning.budget()).withConstraint(constraint.constraint(m));
            ChatSession chat = new ChatSession(cache.newSession(m, runtime), m.tokenizer(), format, options,
                    system, kwargs, tools);
            Interrupts interrupts = Interrupts.install();
            var console = System.console();
            boolean interactive = main.in == System.in && console != null && console.isTerminal();
            BufferedReader in = new BufferedReader(new InputStreamReader(main.in, StandardCharsets.UTF_8));
            if (interactive) {
                err.println("chat with " + m.path().getFileName() + " (" + m.config().architecture().generation
                        + "); /clear for a new conversation, /exit to quit, Ctrl-C stops an answer");
            }
            while (true) {
                if (interactive) {
                    out.print("> ");
                    out.flush();
                }
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) {
                    break;
                }
                if (line.strip().equals("/clear")) {
                    chat.clear();
                    err.println("(conversation cleared)");
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                ChatMessage message = line.startsWith("/tool ")
                        ? ChatMessage.tool(line.substring("/tool ".length())) : ChatMessage.user(line);
                interrupts.answerStarted();
                ChatReply reply;
                AnswerPrinter printer = new AnswerPrinter(out, interactive);
                try {
                    reply = chat.send(List.of(message), printer, interrupts::stopRequested);
                } catch (ContextOverflowException e) {
                    err.println("error: " + e.getMessage() + "; /clear to start again");
                    continue;
                } finally {
                    interrupts.answerEnded();
                }
                printer.finish();
                var t = reply.timings();
                int reasoningTokens = reply.usage().reasoningTokens();
                err.printf("[%d prompt tokens reused from the cache, %d new at %.1f tokens/s; %d answer tokens at %.1f tokens/s%s%s]%n",
                        reply.cachedTokens(), t.promptTokens(), t.promptTokensPerSecond(), t.generatedTokens(),
                        t.generationTokensPerSecond(), reasoningTokens > 0 ? " (" + reasoningTokens + " reasoning)" : "",
                        reply.finishReason() == FinishReason.CANCELLED ? "; stopped" : "");
                err.flush();
            }
            return 0;
        }
    }
}
