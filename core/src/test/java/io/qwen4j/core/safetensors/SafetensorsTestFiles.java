package io.qwen4j.core.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/** Writes safetensors files for tests: well-formed ones from tensors, or any header text over any data. */
final class SafetensorsTestFiles {

    static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsTestFiles() {
    }

    /** Tensors packed in the given order; the header padded with spaces to a multiple of 8 as HF does. */
    static Path write(Path file, Collection<Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            ObjectNode entry = header.putObject(t.name());
            entry.put("dtype", dtype(t.type()));
            long[] shape = t.shape();
            for (long d : shape) {
                entry.withArray("shape").add(d);
            }
            if (shape.length == 0) {
                entry.putArray("shape");
            }
            entry.putArray("data_offsets").add(offset).add(offset + t.data().byteSize());
            offset += t.data().byteSize();
        }
        String text = JSON.writeValueAsString(header);
        text = text + " ".repeat((8 - text.length() % 8) % 8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(header(text.getBytes(StandardCharsets.UTF_8)));
            for (Tensor t : tensors) {
                out.write(t.data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        return file;
    }

    /** The given header text (length prefix computed) followed by {@code dataBytes} zero bytes. */
    static Path raw(Path file, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[8 + json.length + dataBytes];
        System.arraycopy(header(json), 0, bytes, 0, 8 + json.length);
        return Files.write(file, bytes);
    }

    /** The 8-byte little-endian length followed by the header bytes. */
    static byte[] header(byte[] json) {
        byte[] out = new byte[8 + json.length];
        long n = json.length;
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (n >>> (8 * i));
        }
        System.arraycopy(json, 0, out, 8, json.length);
        return out;
    }

    static String dtype(GGMLType type) {
        return switch (type) {
            case F32, F16, BF16, F64, I8, I16, I32, I64 -> type.name();
            default -> throw new IllegalArgumentException("no safetensors dtype for " + type);
        };
    }
}
