package io.qwen4j.core.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads one metadata value into its Java form (see {@link GGUFFile#metadata()} for the mapping). Array counts
 * are checked against the bytes left before anything is allocated, and nesting depth is bounded, so a
 * hostile file can neither exhaust the heap nor the stack.
 */
final class GGUFValueReader {

    static final int MAX_STRING_BYTES = Integer.MAX_VALUE - 8;
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    static final int MAX_ARRAY_DEPTH = 16;

    private final GGUFCursor in;
    private GGUFValueType lastElementType;

    GGUFValueReader(GGUFCursor in) {
        this.in = in;
    }

    /** The value type id at the cursor; {@code what} names the value in errors. */
    GGUFValueType type(String what) {
        long at = in.position();
        int id = in.i32("type of " + what);
        GGUFValueType type = GGUFValueType.fromId(id);
        if (type == null) {
            throw in.error("unknown metadata value type " + Integer.toUnsignedString(id) + " for " + what
                    + " at offset " + at);
        }
        return type;
    }

    Object value(GGUFValueType type, String what) {
        return value(type, what, 0);
    }

    /**
     * The element type of the array last read by {@link #value}; the Java form alone cannot tell, e.g., an
     * int32 array from a uint8 array.
     */
    GGUFValueType lastElementType() {
        return lastElementType;
    }

    private Object value(GGUFValueType type, String what, int depth) {
        return switch (type) {
            case UINT8 -> in.u8(what);
            case INT8 -> (int) in.i8(what);
            case UINT16 -> Short.toUnsignedInt(in.i16(what));
            case INT16 -> (int) in.i16(what);
            case UINT32 -> in.u32(what);
            case INT32 -> in.i32(what);
            case FLOAT32 -> in.f32(what);
            case BOOL -> bool(what);
            case STRING -> in.string(what, MAX_STRING_BYTES);
            case ARRAY -> array(what, depth);
            // uint64 keeps its 64 bits in a Long: values above Long.MAX_VALUE read as negative
            case UINT64, INT64 -> in.i64(what);
            case FLOAT64 -> in.f64(what);
        };
    }

    private boolean bool(String what) {
        long at = in.position();
        int b = in.u8(what);
        if (b > 1) {
            throw in.error("invalid bool value " + b + " for " + what + " at offset " + at);
        }
        return b == 1;
    }

    private Object array(String what, int depth) {
        if (depth >= MAX_ARRAY_DEPTH) {
            throw in.error(what + " nests arrays more than " + MAX_ARRAY_DEPTH + " levels deep");
        }
        GGUFValueType element = type("elements of " + what);
        if (depth == 0) {
            lastElementType = element;
        }
        long count = in.count("element count of " + what, element.minSize);
        if (count > MAX_ARRAY_LENGTH) {
            throw in.error(what + " has " + count + " elements, more than a Java array holds");
        }
        int n = (int) count;
        MemorySegment file = in.file();
        return switch (element) {
            case UINT8 -> {
                long at = in.take(n, what);
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, at + i));
                }
                yield a;
            }
            case INT8 -> {
                long at = in.take(n, what);
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = file.get(ValueLayout.JAVA_BYTE, at + i);
                }
                yield a;
            }
            case UINT16, INT16 -> {
                long at = in.take(2L * n, what);
                boolean unsigned = element == GGUFValueType.UINT16;
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    short s = file.get(GGUFCursor.U16, at + 2L * i);
                    a[i] = unsigned ? Short.toUnsignedInt(s) : s;
                }
                yield a;
            }
            case INT32 -> {
                int[] a = new int[n];
                MemorySegment.copy(file, GGUFCursor.U32, in.take(4L * n, what), a, 0, n);
                yield a;
            }
            case UINT32 -> {
                long at = in.take(4L * n, what);
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Integer.toUnsignedLong(file.get(GGUFCursor.U32, at + 4L * i));
                }
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[n];
                MemorySegment.copy(file, GGUFCursor.U64, in.take(8L * n, what), a, 0, n);
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                MemorySegment.copy(file, GGUFCursor.F32, in.take(4L * n, what), a, 0, n);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                MemorySegment.copy(file, GGUFCursor.F64, in.take(8L * n, what), a, 0, n);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                long at = in.take(n, what);
                for (int i = 0; i < n; i++) {
                    int b = Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, at + i));
                    if (b > 1) {
                        throw in.error("invalid bool value " + b + " in " + what + "[" + i + "] at offset "
                                + (at + i));
                    }
                    a[i] = b == 1;
                }
                yield a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.string(what, i, MAX_STRING_BYTES);
                }
                yield a;
            }
            case ARRAY -> {
                Object[] a = new Object[n];
                for (int i = 0; i < n; i++) {
                    a[i] = array(what + "[" + i + "]", depth + 1);
                }
                yield a;
            }
        };
    }
}
