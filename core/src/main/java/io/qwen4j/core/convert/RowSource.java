package io.qwen4j.core.convert;

import io.qwen4j.core.tensor.GGMLType;

import java.lang.foreign.MemorySegment;

/**
 * A tensor seen as rows of floats (its innermost dimension), read one row at a time: a stored tensor of any type,
 * per-expert tensors stacked into one, or generated weights. {@link #read} may be called from several threads at
 * once, so a conversion can work on many rows in parallel without holding the tensor in memory.
 */
public interface RowSource {

    long rows();

    int rowLength();

    /** Writes row {@code row} into {@code dst[0, rowLength())}. */
    void read(long row, float[] dst);

    /**
     * Whether the rows are stored as {@code type} in the row-major layout of the output, so that
     * {@link #copyStored} can copy them as they are (a BF16 tensor written as BF16 stays bit-identical, NaN payloads
     * included).
     */
    default boolean isStoredAs(GGMLType type) {
        return false;
    }

    /** Copies the stored bytes into {@code dst}; only when {@link #isStoredAs} said yes for the output type. */
    default void copyStored(MemorySegment dst) {
        throw new UnsupportedOperationException("this source has no stored bytes");
    }
}
