package io.qwen4j.cli;

import io.qwen4j.core.convert.FileType;
import io.qwen4j.core.convert.HfConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code qwen4j convert}: a Hugging Face folder to GGUF, as llama.cpp's convert_hf_to_gguf.py writes it. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a Hugging Face model folder (safetensors) to a GGUF file.")
final class ConvertCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HF_DIR", description = "folder with config.json, *.safetensors and tokenizer.json")
    Path hfDir;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.gguf", description = "the GGUF file to write")
    Path output;

    @Option(names = "--type", defaultValue = "F16", paramLabel = "TYPE",
            description = "F32, F16, BF16, Q8_0 (as llama.cpp's converter), or Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K_M, "
                    + "Q4_K_M, Q5_K_M, Q6_K (as llama-quantize makes them); default ${DEFAULT-VALUE}")
    String type;

    @Option(names = "--name", description = "general.name (default: the folder's name)")
    String name;

    @Option(names = {"-t", "--threads"}, description = "worker threads (default: all cores)")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        FileType fileType = QuantizeCommand.fileType(type);
        QuantizeCommand.applyThreads(threads);
        if (!Files.isDirectory(hfDir)) {
            throw new UserInputException(hfDir + ": not a folder (convert reads a Hugging Face model folder)");
        }
        long start = System.nanoTime();
        try (WriteProgress progress = WriteProgress.start("converting")) {
            HfConverter.convert(hfDir, output, fileType, name, progress);
        }
        QuantizeCommand.report(spec, output, fileType, start);
        return 0;
    }
}
