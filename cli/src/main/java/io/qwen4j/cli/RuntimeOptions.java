package io.qwen4j.cli;

import io.qwen4j.core.model.Model;
import io.qwen4j.core.tensor.Parallel;
import picocli.CommandLine.Option;

/** Threads and context size, shared by the commands that run a model. */
final class RuntimeOptions {

    @Option(names = {"-t", "--threads"}, description = "worker threads (default: all cores)")
    Integer threads;

    @Option(names = {"-c", "--ctx-size"}, description = "context length in tokens (default: the model's, at most 4096)")
    Integer ctxSize;

    void apply() {
        if (threads != null) {
            if (threads < 1) {
                throw new UserInputException("--threads must be at least 1, got " + threads);
            }
            Parallel.setThreads(threads);
        }
    }

    int contextLength(Model model) {
        if (ctxSize == null) {
            return model.defaultContextLength();
        }
        if (ctxSize < 1) {
            throw new UserInputException("--ctx-size must be at least 1, got " + ctxSize);
        }
        return ctxSize;
    }
}
