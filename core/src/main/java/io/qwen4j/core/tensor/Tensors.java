package io.qwen4j.core.tensor;

/** Small tensors (norm weights, biases) copied to the heap as floats. */
public final class Tensors {

    private Tensors() {
    }

    /**
     * All elements of {@code t}, flattened in storage order, as floats. Works for every type {@link Matrix}
     * supports (F32, F16, BF16 and the quantised ones); meant for small tensors since the result is on the heap.
     */
    public static float[] toFloats(Tensor t) {
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor " + t.name() + ": " + n + " elements do not fit in a float[]");
        }
        float[] out = new float[(int) n];
        if (n > 0) {
            Matrix.of(new Tensor(t.name(), t.type(), new long[] {1, n}, t.data())).dequantizeRow(0, out, 0);
        }
        return out;
    }
}
