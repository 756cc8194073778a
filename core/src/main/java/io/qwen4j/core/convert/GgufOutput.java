package io.qwen4j.core.convert;

import io.qwen4j.core.gguf.GGUFWriter;
import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Parallel;
import io.qwen4j.core.tensor.Quantizer;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a GGUF file whose tensors are produced row by row while the file is written: each tensor is converted
 * straight into its mapped region of the file, rows in parallel, so no tensor is ever held on the heap. The file
 * is written under a temporary name next to the target and moved into place only once complete, so a failure
 * leaves no partial output.
 */
public final class GgufOutput {

    /** Rows handed to a worker at a time: enough work to amortise the hand-out, small enough to balance. */
    private static final int ROW_BYTES_PER_CHUNK = 1 << 18;

    private GgufOutput() {
    }

    /**
     * Adds {@code tensors} to {@code writer} (which holds the metadata) and writes the file to {@code out}.
     * Checks every type can be written before anything is.
     */
    public static void write(GGUFWriter writer, List<OutputTensor> tensors, Path out, ConversionProgress progress)
            throws IOException {
        for (OutputTensor t : tensors) {
            if (!Quantizer.canQuantize(t.type()) && !t.source().isStoredAs(t.type())) {
                throw new IllegalArgumentException("tensor " + t.name() + ": qwen4j cannot write " + t.type()
                        + " data");
            }
        }
        long total = tensors.stream().mapToLong(OutputTensor::byteSize).sum();
        AtomicLong done = new AtomicLong();
        progress.update(0, total);
        for (OutputTensor t : tensors) {
            writer.addTensor(t.name(), t.type(), t.shape(), dst -> {
                encode(t, dst, bytes -> progress.update(done.addAndGet(bytes), total));
            });
        }
        Path dir = out.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + out.getFileName(), ".part");
        try {
            writer.write(tmp);
            moveIntoPlace(tmp, out);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void moveIntoPlace(Path tmp, Path out) throws IOException {
        try {
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Converts every row of {@code t} into {@code dst}, rows in parallel. */
    static void encode(OutputTensor t, MemorySegment dst, java.util.function.LongConsumer progress) {
        GGMLType type = t.type();
        RowSource src = t.source();
        if (src.isStoredAs(type)) {
            src.copyStored(dst);
            progress.accept(dst.byteSize());
            return;
        }
        int n = src.rowLength();
        long rows = src.rows();
        long rowBytes = type.byteSize(n);
        long rowsPerChunk = Math.max(1, ROW_BYTES_PER_CHUNK / (4L * n));
        long chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        if (chunks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + t.name() + " is too large");
        }
        Parallel.parallelFor((int) chunks, (c0, c1) -> {
            float[] row = new float[n];
            for (long c = c0; c < c1; c++) {
                long first = c * rowsPerChunk;
                long last = Math.min(rows, first + rowsPerChunk);
                for (long r = first; r < last; r++) {
                    src.read(r, row);
                    Quantizer.quantize(type, row, 0, n, dst, r * rowBytes);
                }
                progress.accept((last - first) * rowBytes);
            }
        });
    }
}
