package io.qwen4j.core.gguf;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random byte flips in real headers: every outcome must be a successful open or a ModelFormatException
 * naming the file; never another exception, a hang or an OutOfMemoryError.
 */
class GGUFFuzzTest {

    private static final long SEED = 20251125L;

    @TempDir
    Path dir;

    private record Outcomes(int opened, int rejected) {
    }

    @Test
    void flippedBytesInAWholeFile() throws IOException {
        // The real qwen3-tiny metadata (every string, array and scalar kind llama.cpp writes) with a few small
        // tensors, so flips can land anywhere and still leave a file that opens.
        Path base = dir.resolve("base.gguf");
        try (GGUFFile real = GGUFFile.open(GGUFFileTest.QWEN3)) {
            GGUFWriter writer = new GGUFWriter().putAll(real);
            for (String name : List.of("blk.0.attn_norm.weight", "blk.0.attn_q_norm.weight",
                    "blk.0.attn_k_norm.weight", "output_norm.weight")) {
                Tensor t = real.tensor(name);
                writer.addTensor(name, t.type(), t.shape(), t.data());
            }
            writer.write(base);
        }
        byte[] original = Files.readAllBytes(base);
        int dataStart = original.length - 4 * (256 + 128 + 128 + 256); // the F32 tensors need no padding
        Random random = new Random(SEED);
        Outcomes outcomes = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            int opened = 0;
            int rejected = 0;
            for (int i = 0; i < 300; i++) {
                byte[] bytes = original.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int region = random.nextInt(4);
                    int at = switch (region) {
                        case 0 -> random.nextInt(64);                        // magic, version, counts, first key
                        case 1 -> dataStart - 1 - random.nextInt(200);       // tensor infos and padding
                        default -> random.nextInt(dataStart);                // anywhere in the header
                    };
                    bytes[at] = random.nextInt(3) == 0 ? (byte) 0xff : (byte) random.nextInt(256);
                }
                if (open(bytes, "fuzz" + i)) {
                    opened++;
                } else {
                    rejected++;
                }
            }
            return new Outcomes(opened, rejected);
        });
        assertTrue(outcomes.opened > 10, outcomes.toString());
        assertTrue(outcomes.rejected > 10, outcomes.toString());
    }

    @Test
    void flippedBytesInTheFirst64KiBOfARealFile() throws IOException {
        byte[] head = Arrays.copyOf(Files.readAllBytes(GGUFFileTest.QWEN3), 64 * 1024);
        Random random = new Random(SEED + 1);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 100; i++) {
                byte[] bytes = head.clone();
                for (int f = 0; f < 1 + random.nextInt(8); f++) {
                    int at = random.nextBoolean() ? random.nextInt(256) : random.nextInt(bytes.length);
                    bytes[at] = (byte) random.nextInt(256);
                }
                open(bytes, "head" + i);
            }
        });
    }

    /** Writes and opens one mutated file; true when it opened (and its tensors can be read). */
    private boolean open(byte[] bytes, String name) throws IOException {
        Path file = Files.write(dir.resolve(name + ".gguf"), bytes);
        try (GGUFFile g = GGUFFile.open(file)) {
            for (Tensor t : g.tensors().values()) {
                t.data().get(ValueLayout.JAVA_BYTE, 0);
                t.data().get(ValueLayout.JAVA_BYTE, t.data().byteSize() - 1);
            }
            return true;
        } catch (ModelFormatException e) {
            if (!e.getMessage().startsWith(file + ": ")) {
                fail("message does not start with the path: " + e.getMessage());
            }
            return false;
        } catch (Throwable t) {
            throw new AssertionError(name + " (seed " + SEED + "): " + t, t);
        } finally {
            Files.delete(file);
        }
    }
}
