package io.qwen4j.core.gguf;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.tensor.Tensor;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A GGUF file (versions 2 and 3, little-endian) mapped read-only: its metadata, read onto the heap, and its
 * tensors, which stay in the mapping.
 *
 * <p>Metadata values in {@link #metadata()}: uint8, int8, uint16, int16, int32 as {@link Integer} (unsigned
 * types widened); uint32, int64 and uint64 as {@link Long} (a uint64 above {@link Long#MAX_VALUE} keeps its
 * bits and reads as negative); float32 as {@link Float}; float64 as {@link Double}; bool as {@link Boolean};
 * string as {@link String}. Arrays: of strings {@code String[]}; of 8, 16 and signed 32-bit integers
 * {@code int[]}; of uint32, int64 and uint64 {@code long[]}; {@code float[]}, {@code double[]},
 * {@code boolean[]}; arrays of arrays {@code Object[]} holding those, recursively.
 *
 * <p>Opening validates the whole header (see {@link #open(Path)}); afterwards nothing here can fail except a
 * missing metadata key or tensor, or a value of the wrong type, each a {@link ModelFormatException} naming
 * the file. The typed {@code find*} getters return empty for a missing key but still reject a wrong type.
 */
public final class GGUFFile implements AutoCloseable {

    private final MappedFile mapped;
    private final int version;
    private final int alignment;
    private final Map<String, Object> metadata;
    private final Map<String, GGUFParser.KeyType> metadataTypes;
    private final Map<String, Tensor> tensors;

    private GGUFFile(MappedFile mapped, GGUFParser.Parsed parsed) {
        this.mapped = mapped;
        this.version = parsed.version();
        this.alignment = parsed.alignment();
        this.metadata = Collections.unmodifiableMap(parsed.metadata());
        this.metadataTypes = parsed.metadataTypes();
        this.tensors = Collections.unmodifiableMap(parsed.tensors());
    }

    /**
     * Maps and validates a GGUF file. Throws {@link ModelFormatException} ("PATH: problem") for a missing or
     * unreadable file, a bad magic, a version other than 2 or 3, a truncated header, counts or lengths larger
     * than the rest of the file can hold, unknown value or tensor types, a bad alignment, duplicate keys or
     * tensor names, bad dimensions, and tensor data that is misaligned, overlapping or outside the file.
     */
    public static GGUFFile open(Path path) {
        MappedFile mapped = MappedFile.map(path);
        try {
            return new GGUFFile(mapped, GGUFParser.parse(mapped));
        } catch (RuntimeException | Error e) {
            mapped.close();
            throw e;
        }
    }

    public int version() {
        return version;
    }

    public Path path() {
        return mapped.path();
    }

    public long fileSize() {
        return mapped.size();
    }

    /** {@code general.alignment}, or 32 when the file does not set it. */
    public int alignment() {
        return alignment;
    }

    /** All metadata in file order; see the class comment for the Java type of each GGUF type. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /**
     * All tensors in file order. Shapes are outermost first (GGUF's {@code ne} reversed); each tensor's data
     * is exactly its bytes in the mapped file, readable until {@link #close()}.
     */
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

    /** The type {@code key} is stored with, e.g. UINT32 or ARRAY; empty when the key is missing. */
    public Optional<GGUFValueType> valueType(String key) {
        return Optional.ofNullable(metadataTypes.get(key)).map(GGUFParser.KeyType::type);
    }

    /** The element type of the array stored under {@code key}; empty when missing or not an array. */
    public Optional<GGUFValueType> arrayElementType(String key) {
        return Optional.ofNullable(metadataTypes.get(key)).map(GGUFParser.KeyType::elementType);
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public String getString(String key) {
        return findString(key).orElseThrow(() -> missing(key, "string"));
    }

    public Optional<String> findString(String key) {
        return Optional.ofNullable(metadata.get(key)).map(v -> {
            if (v instanceof String s) {
                return s;
            }
            throw wrongType(key, "string");
        });
    }

    /** Any integer type (uint64 above {@code Long.MAX_VALUE} reads as negative). */
    public long getLong(String key) {
        return findLong(key).orElseThrow(() -> missing(key, "integer"));
    }

    public OptionalLong findLong(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        if (v instanceof Integer || v instanceof Long) {
            return OptionalLong.of(((Number) v).longValue());
        }
        throw wrongType(key, "integer");
    }

    /** Any integer type whose value fits in an int. */
    public int getInt(String key) {
        return findInt(key).orElseThrow(() -> missing(key, "integer"));
    }

    public OptionalInt findInt(String key) {
        OptionalLong v = findLong(key);
        if (v.isEmpty()) {
            return OptionalInt.empty();
        }
        long l = v.getAsLong();
        if (l != (int) l) {
            throw new ModelFormatException(path(), "metadata '" + key + "' = " + l + " does not fit in an int");
        }
        return OptionalInt.of((int) l);
    }

    /** float32 or float64 (narrowed), or an integer converted to float. */
    public float getFloat(String key) {
        return findFloat(key).orElseThrow(() -> missing(key, "float32"));
    }

    public Optional<Float> findFloat(String key) {
        return Optional.ofNullable(metadata.get(key)).map(v -> switch (v) {
            case Float f -> f;
            case Double d -> d.floatValue();
            case Integer i -> i.floatValue();
            case Long l -> l.floatValue();
            default -> throw wrongType(key, "float32");
        });
    }

    public boolean getBoolean(String key) {
        return findBoolean(key).orElseThrow(() -> missing(key, "bool"));
    }

    public Optional<Boolean> findBoolean(String key) {
        return Optional.ofNullable(metadata.get(key)).map(v -> {
            if (v instanceof Boolean b) {
                return b;
            }
            throw wrongType(key, "bool");
        });
    }

    /** A copy of a string array. */
    public String[] getStringArray(String key) {
        Object v = require(key, "array of string");
        if (v instanceof String[] a) {
            return a.clone();
        }
        throw wrongType(key, "array of string");
    }

    /** A copy of an integer array whose values all fit in an int (any integer element type). */
    public int[] getIntArray(String key) {
        Object v = require(key, "array of integers");
        if (v instanceof int[] a) {
            return a.clone();
        }
        if (v instanceof long[] a) {
            int[] out = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                if (a[i] != (int) a[i]) {
                    throw new ModelFormatException(path(), "metadata '" + key + "'[" + i + "] = " + a[i]
                            + " does not fit in an int");
                }
                out[i] = (int) a[i];
            }
            return out;
        }
        throw wrongType(key, "array of integers");
    }

    /** A copy of a float32 array, or a float64 array narrowed to float. */
    public float[] getFloatArray(String key) {
        Object v = require(key, "array of float32");
        if (v instanceof float[] a) {
            return a.clone();
        }
        if (v instanceof double[] a) {
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = (float) a[i];
            }
            return out;
        }
        throw wrongType(key, "array of float32");
    }

    /** Unmaps the file: tensor data may no longer be read. Closing twice is harmless. */
    @Override
    public void close() {
        mapped.close();
    }

    @Override
    public String toString() {
        return "GGUF v" + version + " " + path() + " (" + metadata.size() + " metadata keys, " + tensors.size()
                + " tensors)";
    }

    private Object require(String key, String expected) {
        Object v = metadata.get(key);
        if (v == null) {
            throw missing(key, expected);
        }
        return v;
    }

    private ModelFormatException missing(String key, String expected) {
        return new ModelFormatException(path(), "metadata key '" + key + "' (" + expected + ") is missing");
    }

    private ModelFormatException wrongType(String key, String expected) {
        return new ModelFormatException(path(), "metadata key '" + key + "' has type "
                + metadataTypes.get(key).describe() + ", expected " + expected);
    }
}
