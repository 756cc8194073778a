package io.qwen4j.core.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A named tensor whose data stays where its file is mapped.
 *
 * @param shape dimensions outermost first, as numpy and Hugging Face write them: a weight matrix is
 *              {@code [rows (out), cols (in)]}; a GGUF tensor's {@code ne} is this array reversed.
 * @param data  exactly the tensor's bytes (its size is {@code type.byteSize(elementCount())})
 */
public record Tensor(String name, GGMLType type, long[] shape, MemorySegment data) {

    public Tensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
