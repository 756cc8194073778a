package io.qwen4j.core.gguf;

/** The metadata value types of GGUF, numbered as the file stores them. */
public enum GGUFValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, 8),
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GGUFValueType[] BY_ID = values();

    public final int id;
    /**
     * Bytes one value takes at least: its exact size for fixed-size types, the length prefix for a string
     * (8) and the element type plus count for an array (4 + 8). Used to bound counts read from a file.
     */
    public final int minSize;

    GGUFValueType(int id, int minSize) {
        this.id = id;
        this.minSize = minSize;
    }

    /** The type with this id, or null when the id is not a GGUF value type. */
    public static GGUFValueType fromId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The name the GGUF specification uses, e.g. {@code uint32}. */
    public String specName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
