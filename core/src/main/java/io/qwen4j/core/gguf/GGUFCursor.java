package io.qwen4j.core.gguf;

import io.qwen4j.core.ModelFormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Little-endian reads at a moving position in a mapped file. Every read is checked against the file size
 * first, so a short or hostile file gives "truncated at offset N while reading X", never an index error.
 */
final class GGUFCursor {

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment file;
    private final Path path;
    private final long size;
    private long pos;

    GGUFCursor(MemorySegment file, Path path) {
        this.file = file;
        this.path = path;
        this.size = file.byteSize();
    }

    long position() {
        return pos;
    }

    long remaining() {
        return size - pos;
    }

    MemorySegment file() {
        return file;
    }

    /** Checks that {@code bytes} more bytes exist, then advances past them and returns where they start. */
    long take(long bytes, String what) {
        if (bytes < 0 || bytes > size - pos) {
            throw truncated(what);
        }
        long at = pos;
        pos += bytes;
        return at;
    }

    ModelFormatException truncated(String what) {
        return new ModelFormatException(path, "truncated at offset " + pos + " while reading " + what
                + " (file size " + size + ")");
    }

    ModelFormatException error(String problem) {
        return new ModelFormatException(path, problem);
    }

    int u8(String what) {
        return Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, take(1, what)));
    }

    byte i8(String what) {
        return file.get(ValueLayout.JAVA_BYTE, take(1, what));
    }

    short i16(String what) {
        return file.get(U16, take(2, what));
    }

    int i32(String what) {
        return file.get(U32, take(4, what));
    }

    long i64(String what) {
        return file.get(U64, take(8, what));
    }

    float f32(String what) {
        return file.get(F32, take(4, what));
    }

    double f64(String what) {
        return file.get(F64, take(8, what));
    }

    /** An unsigned 32-bit value widened to long. */
    long u32(String what) {
        return Integer.toUnsignedLong(i32(what));
    }

    /**
     * A count or length stored as uint64 whose items take at least {@code minItemBytes} each: rejected when
     * the rest of the file cannot hold that many, so no allocation is ever sized by an unchecked number.
     */
    long count(String what, long minItemBytes) {
        long at = pos;
        long n = i64(what);
        long room = (size - pos) / minItemBytes;
        if (n < 0 || n > room) {
            throw error(what + " at offset " + at + " is " + Long.toUnsignedString(n) + ", but the "
                    + (size - pos) + " bytes left in the file hold at most " + room);
        }
        return n;
    }

    /** A GGUF string (uint64 length + UTF-8 bytes) of at most {@code maxBytes} bytes. */
    String string(String what, int maxBytes) {
        return string(what, -1, maxBytes);
    }

    /**
     * Element {@code index} of the string array {@code what} (index -1: a plain string); the label is only
     * built for an error, since vocabularies hold hundreds of thousands of strings.
     */
    String string(String what, int index, int maxBytes) {
        long at = pos;
        if (8 > size - pos) {
            throw truncated(label(what, index) + " length");
        }
        long len = file.get(U64, pos);
        pos += 8;
        if (len < 0 || len > maxBytes) {
            throw error(label(what, index) + " at offset " + at + " has length " + Long.toUnsignedString(len)
                    + ", over the limit of " + maxBytes + " bytes");
        }
        if (len > size - pos) {
            throw error(label(what, index) + " at offset " + at + " has length " + len + ", but only "
                    + (size - pos) + " bytes are left in the file");
        }
        if (len == 0) {
            return "";
        }
        byte[] bytes = new byte[(int) len];
        MemorySegment.copy(file, ValueLayout.JAVA_BYTE, pos, bytes, 0, (int) len);
        pos += len;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static String label(String what, int index) {
        return index < 0 ? what : what + "[" + index + "]";
    }
}
