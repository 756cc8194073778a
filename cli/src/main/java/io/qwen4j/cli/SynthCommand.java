package io.qwen4j.cli;

import io.qwen4j.core.convert.FileType;
import io.qwen4j.core.convert.SynthPreset;
import io.qwen4j.core.convert.SyntheticModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code qwen4j synth}: a random-weight GGUF with the shapes of an official checkpoint. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a deterministic random-weight GGUF with the real shapes of an official Qwen checkpoint, "
                + "for benchmarks and tests without downloads (the real Qwen3 tokenizer and chat template included).")
final class SynthCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PRESET", description = "qwen3-0.6b, qwen2.5-0.5b or qwen3-30b-a3b")
    String preset;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.gguf", description = "the GGUF file to write")
    Path output;

    @Option(names = "--type", defaultValue = "Q8_0", paramLabel = "TYPE",
            description = "any type quantize takes (default ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--layers", paramLabel = "N", description = "keep only the first N layers (default: all)")
    Integer layers;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = {"-t", "--threads"}, description = "worker threads (default: all cores)")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        SynthPreset p = SynthPreset.parse(preset).orElseThrow(() -> new UserInputException("unknown preset '"
                + preset + "' (presets: " + SynthPreset.ids() + ")"));
        FileType fileType = QuantizeCommand.fileType(type);
        QuantizeCommand.applyThreads(threads);
        int depth = p.config(0).numHiddenLayers();
        if (layers != null && (layers < 1 || layers > depth)) {
            throw new UserInputException("--layers must be in 1.." + depth + " for " + p.id + ", got " + layers);
        }
        long start = System.nanoTime();
        try (WriteProgress progress = WriteProgress.start("writing")) {
            SyntheticModel.write(p, layers == null ? 0 : layers, fileType, seed, output, progress);
        }
        QuantizeCommand.report(spec, output, fileType, start);
        return 0;
    }
}
