package io.qwen4j.cli;

import io.qwen4j.core.convert.FileType;
import io.qwen4j.core.convert.GgufQuantizer;
import io.qwen4j.core.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code qwen4j quantize}: a GGUF file in another type, with llama-quantize's per-tensor choices. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Write a GGUF file in another type, as llama-quantize does (norms, biases and routers stay as they are).")
final class QuantizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN.gguf", description = "the GGUF file to read")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.gguf", description = "the GGUF file to write")
    Path output;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K_M, Q4_K_M, Q5_K_M or Q6_K")
    String type;

    @Option(names = {"-t", "--threads"}, description = "worker threads (default: all cores)")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        FileType fileType = fileType(type);
        applyThreads(threads);
        long start = System.nanoTime();
        try (WriteProgress progress = WriteProgress.start("quantizing")) {
            GgufQuantizer.quantize(input, output, fileType, progress);
        }
        report(spec, output, fileType, start);
        return 0;
    }

    static FileType fileType(String name) {
        return FileType.parse(name).orElseThrow(() -> new UserInputException("--type " + name
                + " is not one of " + FileType.names()));
    }

    static void applyThreads(Integer threads) {
        if (threads != null) {
            if (threads < 1) {
                throw new UserInputException("--threads must be at least 1, got " + threads);
            }
            Parallel.setThreads(threads);
        }
    }

    /** One line on stdout: what was written, how big, how long it took. */
    static void report(CommandSpec spec, Path output, FileType type, long startNanos) throws IOException {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s (%s, %.1f MB) in %.1f s%n", output, type,
                Files.size(output) / 1048576.0, seconds);
        spec.commandLine().getOut().flush();
    }
}
