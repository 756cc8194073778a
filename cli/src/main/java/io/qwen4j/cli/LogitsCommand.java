package io.qwen4j.cli;

import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/** {@code qwen4j logits}: every position's logits of a token sequence, as the fixtures store them. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Run token ids through the model in one pass and write every position's logits as little-endian float32 rows [positions][vocab].")
final class LogitsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file or Hugging Face folder")
    Path model;

    @Option(names = "--ids", required = true, split = ",", description = "token ids, comma separated")
    int[] ids;

    @Option(names = {"-o", "--out"}, required = true, description = "output file (.f32)")
    Path out;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws IOException {
        runtime.apply();
        try (Model m = ModelLoading.load(model, runtime)) {
            int ctx = runtime.ctxSize != null ? runtime.contextLength(m) : Math.max(ids.length, 1);
            Session session = m.newSessionWithAllLogits(ctx);
            int vocab = session.vocabularySize();
            // write next to the target and move it into place, so a failure never leaves a partial file
            Path dir = out.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, ".logits", ".tmp");
            try {
                try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                    ByteBuffer row = ByteBuffer.allocate(vocab * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    IOException[] failure = new IOException[1];
                    session.ingestAll(ids, (index, logits, offset) -> {
                        row.clear();
                        row.asFloatBuffer().put(logits, offset, vocab);
                        try {
                            os.write(row.array(), 0, vocab * Float.BYTES);
                        } catch (IOException e) {
                            failure[0] = e;
                        }
                    });
                    if (failure[0] != null) {
                        throw failure[0];
                    }
                }
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            spec.commandLine().getErr().printf("wrote %d rows x %d logits to %s%n", ids.length, vocab, out);
            return 0;
        }
    }
}
