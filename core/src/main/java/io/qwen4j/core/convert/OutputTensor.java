package io.qwen4j.core.convert;

import io.qwen4j.core.tensor.GGMLType;

import java.util.Arrays;

/**
 * One tensor of a file being written: its GGUF name, the type it is stored as, its shape (outermost first) and
 * where its values come from.
 */
public record OutputTensor(String name, GGMLType type, long[] shape, RowSource source) {

    public OutputTensor {
        shape = shape.clone();
        long elements = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (elements != source.rows() * source.rowLength() || shape[shape.length - 1] != source.rowLength()) {
            throw new IllegalArgumentException("tensor " + name + " " + Arrays.toString(shape) + ": its source has "
                    + source.rows() + " rows of " + source.rowLength());
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return source.rows() * source.rowLength();
    }

    public long byteSize() {
        return type.byteSize(elementCount());
    }
}
