package io.qwen4j.core.gguf;

import io.qwen4j.core.tensor.GGMLType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a little-endian GGUF version 3 file: metadata of every value type (arrays nested to any depth),
 * tensor infos, and tensor data, each tensor at an offset aligned to {@code general.alignment} (32 unless
 * that key is put) with zero padding before the data section and between tensors.
 *
 * <p>Java forms of values, as {@link GGUFFile} reads them back: uint8, int8, uint16, int16, int32 an
 * {@link Integer}; uint32, uint64, int64 a {@link Long} (or Integer); float32, float64 any {@link Number};
 * bool a {@link Boolean}; string a {@link String}; array an {@link Array}. Values are range-checked for their
 * type. Tensor shapes are outermost first, as in {@link io.qwen4j.core.tensor.Tensor}.
 */
public final class GGUFWriter {

    /** GGML's limit on tensor names (GGML_MAX_NAME, including the terminating zero). */
    public static final int MAX_TENSOR_NAME_BYTES = 63;

    /**
     * An array value. {@code values} is an int[] for uint8, int8, uint16, int16 and int32 elements; a long[]
     * for uint32, uint64 and int64; float[] for float32; double[] for float64; boolean[] for bool; String[]
     * for string; Array[] for arrays of arrays.
     */
    public record Array(GGUFValueType elementType, Object values) {
        public Array {
            Objects.requireNonNull(elementType, "elementType");
            Objects.requireNonNull(values, "values");
            validate(elementType, values);
        }

        public int length() {
            return java.lang.reflect.Array.getLength(values);
        }
    }

    private record Value(GGUFValueType type, Object value) {
    }

    /**
     * Produces a tensor's bytes straight into the output file: {@code dst} is the tensor's region of the file,
     * memory-mapped (shared, so several threads may fill it), exactly {@code type.byteSize(elements)} bytes. Lets
     * a writer stream tensors that are never all in memory at once.
     */
    @FunctionalInterface
    public interface TensorContent {
        void writeTo(MemorySegment dst) throws IOException;
    }

    /** Exactly one of {@code data} and {@code content} is set. */
    private record PendingTensor(String name, GGMLType type, long[] shape, long bytes, MemorySegment data,
                                 TensorContent content) {
    }

    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final Map<String, PendingTensor> tensors = new LinkedHashMap<>();

    /** Adds a metadata entry; keys must be unique. */
    public GGUFWriter put(String key, GGUFValueType type, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value of " + key);
        if (key.getBytes(StandardCharsets.UTF_8).length > GGUFParser.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("metadata key longer than 65535 bytes: " + key.substring(0, 64));
        }
        if (metadata.containsKey(key)) {
            throw new IllegalArgumentException("duplicate metadata key '" + key + "'");
        }
        if (type == GGUFValueType.ARRAY) {
            if (!(value instanceof Array)) {
                throw new IllegalArgumentException("metadata '" + key + "': an array value must be a "
                        + "GGUFWriter.Array, not " + value.getClass().getSimpleName());
            }
        } else {
            checkScalar(type, value, "metadata '" + key + "'");
        }
        if (key.equals(GGUFParser.ALIGNMENT_KEY)) {
            long a = type.isInteger() ? ((Number) value).longValue() : -1;
            if (a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
                throw new IllegalArgumentException(key + " must be an integer power of two up to 2^30, not "
                        + value);
            }
        }
        metadata.put(key, new Value(type, value));
        return this;
    }

    public GGUFWriter putString(String key, String value) {
        return put(key, GGUFValueType.STRING, value);
    }

    public GGUFWriter putBool(String key, boolean value) {
        return put(key, GGUFValueType.BOOL, value);
    }

    public GGUFWriter putInt32(String key, int value) {
        return put(key, GGUFValueType.INT32, value);
    }

    public GGUFWriter putUInt32(String key, long value) {
        return put(key, GGUFValueType.UINT32, value);
    }

    public GGUFWriter putUInt64(String key, long value) {
        return put(key, GGUFValueType.UINT64, value);
    }

    public GGUFWriter putFloat32(String key, float value) {
        return put(key, GGUFValueType.FLOAT32, value);
    }

    /** An array of the given element type; see {@link Array} for the Java form of {@code values}. */
    public GGUFWriter putArray(String key, GGUFValueType elementType, Object values) {
        return put(key, GGUFValueType.ARRAY, new Array(elementType, values));
    }

    /**
     * Copies every metadata entry of {@code source}, in file order, with the type it is stored with. Arrays
     * nested inside arrays are written with the type their Java form implies (int[] int32, long[] int64,
     * float[] float32, double[] float64, boolean[] bool, String[] string), since only the outer element type
     * is kept by {@link GGUFFile}.
     */
    public GGUFWriter putAll(GGUFFile source) {
        return putAll(source, key -> true);
    }

    /** As {@link #putAll(GGUFFile)}, for the keys {@code include} accepts. */
    public GGUFWriter putAll(GGUFFile source, java.util.function.Predicate<String> include) {
        for (Map.Entry<String, Object> e : source.metadata().entrySet()) {
            String key = e.getKey();
            if (!include.test(key)) {
                continue;
            }
            GGUFValueType type = source.valueType(key).orElseThrow();
            if (type == GGUFValueType.ARRAY) {
                GGUFValueType element = source.arrayElementType(key).orElseThrow();
                put(key, type, new Array(element, element == GGUFValueType.ARRAY
                        ? nested((Object[]) e.getValue()) : e.getValue()));
            } else {
                put(key, type, e.getValue());
            }
        }
        return this;
    }

    private static Array[] nested(Object[] arrays) {
        Array[] out = new Array[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            Object a = arrays[i];
            out[i] = switch (a) {
                case int[] v -> new Array(GGUFValueType.INT32, v);
                case long[] v -> new Array(GGUFValueType.INT64, v);
                case float[] v -> new Array(GGUFValueType.FLOAT32, v);
                case double[] v -> new Array(GGUFValueType.FLOAT64, v);
                case boolean[] v -> new Array(GGUFValueType.BOOL, v);
                case String[] v -> new Array(GGUFValueType.STRING, v);
                case Object[] v -> new Array(GGUFValueType.ARRAY, nested(v));
                default -> throw new IllegalArgumentException("not a metadata array: " + a.getClass());
            };
        }
        return out;
    }

    /**
     * Adds a tensor whose bytes are {@code data} (exactly {@code type.byteSize(elements)} of them, read when
     * {@link #write(Path)} runs). {@code shape} is outermost first; the innermost dimension must be a
     * multiple of the type's block size.
     */
    public GGUFWriter addTensor(String name, GGMLType type, long[] shape, MemorySegment data) {
        Objects.requireNonNull(data, "data of " + name);
        long bytes = checkTensor(name, type, shape);
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "' " + type + " " + Arrays.toString(shape)
                    + " takes " + bytes + " bytes, but its data has " + data.byteSize());
        }
        tensors.put(name, new PendingTensor(name, type, shape.clone(), bytes, data, null));
        return this;
    }

    /**
     * Adds a tensor whose bytes {@code content} writes into the file when {@link #write(Path)} reaches it, so
     * that only one tensor's worth of work is under way at a time. Same rules for name and shape as
     * {@link #addTensor(String, GGMLType, long[], MemorySegment)}.
     */
    public GGUFWriter addTensor(String name, GGMLType type, long[] shape, TensorContent content) {
        Objects.requireNonNull(content, "content of " + name);
        long bytes = checkTensor(name, type, shape);
        tensors.put(name, new PendingTensor(name, type, shape.clone(), bytes, null, content));
        return this;
    }

    /** Validates a new tensor's name, type and shape; returns its size in bytes. */
    private long checkTensor(String name, GGMLType type, long[] shape) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type of " + name);
        Objects.requireNonNull(shape, "shape of " + name);
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name longer than " + MAX_TENSOR_NAME_BYTES + " bytes: "
                    + name);
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        if (shape.length == 0 || shape.length > GGUFParser.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + shape.length
                    + " dimensions, expected 1 to " + GGUFParser.MAX_DIMS);
        }
        long elements = 1;
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                        + "; dimensions must be positive");
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (shape[shape.length - 1] % type.blockSize != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' rows of " + shape[shape.length - 1]
                    + " elements are not a multiple of the " + type + " block size " + type.blockSize);
        }
        return type.byteSize(elements);
    }

    /** Writes the file, replacing any file at {@code out}. */
    public void write(Path out) throws IOException {
        long alignment = alignment();
        LittleEndianBuffer header = new LittleEndianBuffer();
        header.i32(GGUFParser.MAGIC);
        header.i32(3);
        header.i64(tensors.size());
        header.i64(metadata.size());
        for (Map.Entry<String, Value> e : metadata.entrySet()) {
            header.string(e.getKey());
            header.i32(e.getValue().type.id);
            writeValue(header, e.getValue().type, e.getValue().value);
        }
        long offset = 0;
        long[] offsets = new long[tensors.size()];
        int i = 0;
        for (PendingTensor t : tensors.values()) {
            header.string(t.name);
            header.i32(t.shape.length);
            for (int d = t.shape.length - 1; d >= 0; d--) {
                header.i64(t.shape[d]); // GGUF stores ne[], innermost first
            }
            header.i32(t.type.id);
            header.i64(offset);
            offsets[i++] = offset;
            offset = GGUFParser.alignUp(offset + t.bytes, alignment);
        }
        try (FileChannel channel = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long dataStart = GGUFParser.alignUp(header.size(), alignment);
            header.zeros(dataStart - header.size());
            writeFully(channel, header.buffer());
            i = 0;
            for (PendingTensor t : tensors.values()) {
                long at = dataStart + offsets[i++];
                pad(channel, at - channel.position());
                if (t.content != null) {
                    // mapping past the end grows the file; a shared arena lets worker threads fill the region
                    try (Arena arena = Arena.ofShared()) {
                        t.content.writeTo(channel.map(FileChannel.MapMode.READ_WRITE, at, t.bytes, arena));
                    }
                    channel.position(at + t.bytes);
                    continue;
                }
                for (long pos = 0; pos < t.bytes; pos += 1 << 30) {
                    long len = Math.min(1L << 30, t.bytes - pos);
                    writeFully(channel, t.data.asSlice(pos, len).asByteBuffer());
                }
            }
            if (!tensors.isEmpty()) {
                pad(channel, dataStart + offset - channel.position()); // the data section ends aligned too
            }
        }
    }

    private long alignment() {
        Value v = metadata.get(GGUFParser.ALIGNMENT_KEY);
        return v == null ? GGUFParser.DEFAULT_ALIGNMENT : ((Number) v.value).longValue();
    }

    private static void pad(FileChannel channel, long bytes) throws IOException {
        if (bytes > 0) {
            writeFully(channel, ByteBuffer.allocate((int) bytes));
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void writeValue(LittleEndianBuffer out, GGUFValueType type, Object value) {
        switch (type) {
            case UINT8, INT8, BOOL -> out.i8(type == GGUFValueType.BOOL ? ((Boolean) value ? 1 : 0)
                    : ((Number) value).intValue());
            case UINT16, INT16 -> out.i16(((Number) value).intValue());
            case UINT32, INT32 -> out.i32(((Number) value).intValue());
            case UINT64, INT64 -> out.i64(((Number) value).longValue());
            case FLOAT32 -> out.i32(Float.floatToRawIntBits(((Number) value).floatValue()));
            case FLOAT64 -> out.i64(Double.doubleToRawLongBits(((Number) value).doubleValue()));
            case STRING -> out.string((String) value);
            case ARRAY -> writeArray(out, (Array) value);
        }
    }

    private static void writeArray(LittleEndianBuffer out, Array array) {
        GGUFValueType type = array.elementType;
        out.i32(type.id);
        out.i64(array.length());
        switch (array.values) {
            case int[] a -> {
                for (int v : a) {
                    switch (type) {
                        case UINT8, INT8 -> out.i8(v);
                        case UINT16, INT16 -> out.i16(v);
                        default -> out.i32(v);
                    }
                }
            }
            case long[] a -> {
                for (long v : a) {
                    if (type == GGUFValueType.UINT32) {
                        out.i32((int) v);
                    } else {
                        out.i64(v);
                    }
                }
            }
            case float[] a -> {
                for (float v : a) {
                    out.i32(Float.floatToRawIntBits(v));
                }
            }
            case double[] a -> {
                for (double v : a) {
                    out.i64(Double.doubleToRawLongBits(v));
                }
            }
            case boolean[] a -> {
                for (boolean v : a) {
                    out.i8(v ? 1 : 0);
                }
            }
            case String[] a -> {
                for (String v : a) {
                    out.string(v);
                }
            }
            case Array[] a -> {
                for (Array v : a) {
                    writeArray(out, v);
                }
            }
            default -> throw new IllegalStateException("validated in Array: " + array.values.getClass());
        }
    }

    private static void checkScalar(GGUFValueType type, Object value, String what) {
        boolean ok = switch (type) {
            case UINT8 -> value instanceof Integer i && i >= 0 && i <= 0xff;
            case INT8 -> value instanceof Integer i && i >= Byte.MIN_VALUE && i <= Byte.MAX_VALUE;
            case UINT16 -> value instanceof Integer i && i >= 0 && i <= 0xffff;
            case INT16 -> value instanceof Integer i && i >= Short.MIN_VALUE && i <= Short.MAX_VALUE;
            case INT32 -> value instanceof Integer;
            case UINT32 -> (value instanceof Integer || value instanceof Long)
                    && ((Number) value).longValue() >= 0 && ((Number) value).longValue() <= 0xffffffffL;
            case UINT64, INT64 -> value instanceof Integer || value instanceof Long;
            case FLOAT32, FLOAT64 -> value instanceof Number;
            case BOOL -> value instanceof Boolean;
            case STRING -> value instanceof String;
            case ARRAY -> value instanceof Array;
        };
        if (!ok) {
            throw new IllegalArgumentException(what + ": " + value + " (" + value.getClass().getSimpleName()
                    + ") is not a valid " + type.specName());
        }
    }

    private static void validate(GGUFValueType type, Object values) {
        String what = "array of " + type.specName();
        switch (type) {
            case UINT8, INT8, UINT16, INT16, INT32 -> {
                if (!(values instanceof int[] a)) {
                    throw wrongArray(what, "int[]", values);
                }
                for (int v : a) {
                    checkScalar(type, v, what);
                }
            }
            case UINT32, UINT64, INT64 -> {
                if (!(values instanceof long[] a)) {
                    throw wrongArray(what, "long[]", values);
                }
                if (type == GGUFValueType.UINT32) {
                    for (long v : a) {
                        checkScalar(type, v, what);
                    }
                }
            }
            case FLOAT32 -> {
                if (!(values instanceof float[])) {
                    throw wrongArray(what, "float[]", values);
                }
            }
            case FLOAT64 -> {
                if (!(values instanceof double[])) {
                    throw wrongArray(what, "double[]", values);
                }
            }
            case BOOL -> {
                if (!(values instanceof boolean[])) {
                    throw wrongArray(what, "boolean[]", values);
                }
            }
            case STRING -> {
                if (!(values instanceof String[] a)) {
                    throw wrongArray(what, "String[]", values);
                }
                for (String s : a) {
                    Objects.requireNonNull(s, "null element in " + what);
                }
            }
            case ARRAY -> {
                if (!(values instanceof Array[] a)) {
                    throw wrongArray(what, "GGUFWriter.Array[]", values);
                }
                for (Array inner : a) {
                    Objects.requireNonNull(inner, "null element in " + what);
                }
            }
        }
    }

    private static IllegalArgumentException wrongArray(String what, String expected, Object values) {
        return new IllegalArgumentException(what + " needs a " + expected + ", not a "
                + values.getClass().getSimpleName());
    }

    /** A growable little-endian byte buffer for the header, which is small enough for the heap. */
    private static final class LittleEndianBuffer {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(long more) {
            if (buf.remaining() < more) {
                long needed = buf.position() + more;
                if (needed > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("GGUF header over 2 GB");
                }
                int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * buf.capacity()));
                ByteBuffer bigger = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
                bigger.put(buf.flip());
                buf = bigger;
            }
        }

        void i8(int v) {
            ensure(1);
            buf.put((byte) v);
        }

        void i16(int v) {
            ensure(2);
            buf.putShort((short) v);
        }

        void i32(int v) {
            ensure(4);
            buf.putInt(v);
        }

        void i64(long v) {
            ensure(8);
            buf.putLong(v);
        }

        void string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            i64(bytes.length);
            ensure(bytes.length);
            buf.put(bytes);
        }

        void zeros(long n) {
            ensure(n);
            buf.position(buf.position() + (int) n); // a fresh ByteBuffer is zero-filled
        }

        long size() {
            return buf.position();
        }

        ByteBuffer buffer() {
            return buf.duplicate().flip();
        }
    }
}
