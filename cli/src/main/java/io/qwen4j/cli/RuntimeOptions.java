package io.qwen4j.cli;

import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.RopeScaling;
import io.qwen4j.core.tensor.Parallel;
import picocli.CommandLine.Option;

/** Threads and context size, shared by the commands that run a model. */
final class RuntimeOptions {

    @Option(names = {"-t", "--threads"}, description = "worker threads (default: all cores)")
    Integer threads;

    @Option(names = {"-c", "--ctx-size"}, description = "context length in tokens (default: the model's, at most 4096)")
    Integer ctxSize;

    @Option(names = "--rope-scaling", paramLabel = "TYPE",
            description = "override the model's position scaling: none, linear or yarn (as Qwen's model cards advise for long inputs)")
    String ropeScaling;

    @Option(names = "--rope-scale", paramLabel = "N", description = "context extension factor for --rope-scaling (e.g. 4)")
    Double ropeScale;

    @Option(names = "--yarn-orig-ctx", paramLabel = "N",
            description = "the context the model was trained with, for YaRN (default: the model's)")
    Integer yarnOrigCtx;

    /** The scaling to run with instead of the checkpoint's, or null to keep it. */
    RopeScaling ropeScalingOverride() {
        if (ropeScaling == null) {
            if (ropeScale != null || yarnOrigCtx != null) {
                throw new UserInputException("--rope-scale and --yarn-orig-ctx need --rope-scaling linear or yarn");
            }
            return null;
        }
        try {
            return switch (ropeScaling) {
                case "none" -> RopeScaling.none();
                case "linear" -> RopeScaling.linear(requireScale());
                case "yarn" -> RopeScaling.yarn(requireScale(), yarnOrigCtx != null ? yarnOrigCtx : 0);
                default -> throw new UserInputException("--rope-scaling must be none, linear or yarn, got '" + ropeScaling + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
    }

    private double requireScale() {
        if (ropeScale == null) {
            throw new UserInputException("--rope-scaling " + ropeScaling + " needs --rope-scale N");
        }
        return ropeScale;
    }

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
