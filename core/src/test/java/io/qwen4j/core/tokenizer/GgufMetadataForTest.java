package io.qwen4j.core.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A minimal reader of the metadata section of a GGUF v3 file, only so the tokenizer tests can get the
 * {@code tokenizer.ggml.*} arrays without depending on the real GGUF reader. Arrays of strings become String[],
 * arrays of 32-bit integers int[], other arrays are skipped (stored as null); scalars are boxed.
 */
final class GgufMetadataForTest {

    private static final int GGUF_MAGIC = 0x46554747; // "GGUF" read little-endian

    private final ByteBuffer buffer;

    private GgufMetadataForTest(ByteBuffer buffer) {
        this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
    }

    static Map<String, Object> read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            return new GgufMetadataForTest(mapped).readAll();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Object> readAll() {
        if (buffer.getInt() != GGUF_MAGIC) {
            throw new IllegalArgumentException("not a GGUF file");
        }
        int version = buffer.getInt();
        if (version != 3) {
            throw new IllegalArgumentException("GGUF version " + version + ", expected 3");
        }
        buffer.getLong(); // tensor count
        long kvCount = buffer.getLong();
        Map<String, Object> kvs = new HashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string();
            kvs.put(key, value(buffer.getInt()));
        }
        return kvs;
    }

    private String string() {
        int length = Math.toIntExact(buffer.getLong());
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private Object value(int type) {
        return switch (type) {
            case 0 -> buffer.get() & 0xFF;
            case 1 -> (int) buffer.get();
            case 2 -> buffer.getShort() & 0xFFFF;
            case 3 -> (int) buffer.getShort();
            case 4 -> Integer.toUnsignedLong(buffer.getInt());
            case 5 -> buffer.getInt();
            case 6 -> buffer.getFloat();
            case 7 -> buffer.get() != 0;
            case 8 -> string();
            case 9 -> array();
            case 10, 11 -> buffer.getLong();
            case 12 -> buffer.getDouble();
            default -> throw new IllegalArgumentException("unknown GGUF value type " + type);
        };
    }

    private Object array() {
        int type = buffer.getInt();
        int n = Math.toIntExact(buffer.getLong());
        if (type == 8) {
            String[] strings = new String[n];
            for (int i = 0; i < n; i++) {
                strings[i] = string();
            }
            return strings;
        }
        if (type == 5 || type == 4) {
            int[] ints = new int[n];
            for (int i = 0; i < n; i++) {
                ints[i] = buffer.getInt();
            }
            return ints;
        }
        for (int i = 0; i < n; i++) {
            value(type);
        }
        return null;
    }
}
