package io.qwen4j.cli;

import io.qwen4j.core.chat.Tools;
import io.qwen4j.core.generate.ThinkingBudget;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Thinking and tool flags, shared by generate and chat. */
final class ReasoningOptions {

    @Option(names = "--think", negatable = true,
            description = "thinking on or off: the template's enable_thinking (Qwen3; --no-think pre-fills an empty think block). Default: the template's own")
    Boolean think;

    @Option(names = "--thinking-budget", paramLabel = "N",
            description = "at most N tokens of reasoning, then Qwen's stop-thinking text is fed to the model and it answers; 0 = an empty think block")
    Integer thinkingBudget;

    @Option(names = "--tools", paramLabel = "FILE",
            description = "JSON list of tools the model may call, OpenAI function format: [{\"type\": \"function\", \"function\": {\"name\", \"description\", \"parameters\"}}]")
    Path toolsFile;

    /** Extra chat-template variables. */
    Map<String, Object> templateKwargs() {
        Map<String, Object> kwargs = new LinkedHashMap<>();
        if (think != null) {
            kwargs.put("enable_thinking", think);
        }
        return kwargs;
    }

    ThinkingBudget budget() {
        if (thinkingBudget == null) {
            return null;
        }
        if (thinkingBudget < 0) {
            throw new UserInputException("--thinking-budget must not be negative, got " + thinkingBudget);
        }
        return ThinkingBudget.of(thinkingBudget);
    }

    List<Object> tools() {
        if (toolsFile == null) {
            return List.of();
        }
        try {
            return Tools.parse(Files.readString(toolsFile));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserInputException(toolsFile + ": file not found");
        } catch (IOException e) {
            throw new UserInputException(toolsFile + ": cannot read the tools: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UserInputException(toolsFile + ": " + e.getMessage());
        }
    }

    /** Whether a flag needs the chat template (for --raw). */
    String templateFlag() {
        return think != null ? (think ? "--think" : "--no-think") : toolsFile != null ? "--tools" : null;
    }
}
