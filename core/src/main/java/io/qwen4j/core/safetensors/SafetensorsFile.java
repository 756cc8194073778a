package io.qwen4j.core.safetensors;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.gguf.MappedFile;
import io.qwen4j.core.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face safetensors file mapped read-only: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}}), then the data,
 * which stays in the mapping. Shapes are outermost first, as in the header.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The reference implementation's limit; real headers are kilobytes to a few megabytes. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    private final MappedFile mapped;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(MappedFile mapped, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.mapped = mapped;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Maps and validates a safetensors file. Throws {@link ModelFormatException} naming the file (and the
     * tensor, where one is at fault) for a missing file, a header length beyond the file, invalid JSON, a
     * dtype qwen4j does not read, bad shapes, and data offsets outside the data, of the wrong size or
     * overlapping.
     */
    public static SafetensorsFile open(Path file) {
        MappedFile mapped = MappedFile.map(file);
        try {
            return read(mapped);
        } catch (RuntimeException | Error e) {
            mapped.close();
            throw e;
        }
    }

    private static SafetensorsFile read(MappedFile mapped) {
        Path path = mapped.path();
        MemorySegment file = mapped.segment();
        long size = mapped.size();
        if (size < 8) {
            throw new ModelFormatException(path, "not a safetensors file: only " + size
                    + " bytes long, less than the 8-byte header length");
        }
        long headerLength = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength < 0 || headerLength > size - 8) {
            throw new ModelFormatException(path, "header length " + Long.toUnsignedString(headerLength)
                    + " is larger than the file (" + size + " bytes): truncated, or not a safetensors file");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new ModelFormatException(path, "header length " + headerLength + " is over the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        byte[] json = file.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        long dataStart = 8 + headerLength;
        SafetensorsHeader.Parsed header = SafetensorsHeader.parse(path, json, size - dataStart);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (SafetensorsHeader.Entry e : header.entries()) {
            tensors.put(e.name(), new Tensor(e.name(), e.type(), e.shape(),
                    file.asSlice(dataStart + e.begin(), e.end() - e.begin())));
        }
        return new SafetensorsFile(mapped, tensors, header.metadata());
    }

    /** All tensors in header order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new ModelFormatException(path(), "no tensor named '" + name + "'");
        }
        return t;
    }

    public Optional<Tensor> findTensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The {@code __metadata__} strings (empty when the header has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public Path path() {
        return mapped.path();
    }

    /** Unmaps the file: tensor data may no longer be read. Closing twice is harmless. */
    @Override
    public void close() {
        mapped.close();
    }

    @Override
    public String toString() {
        return "safetensors " + path() + " (" + tensors.size() + " tensors)";
    }
}
