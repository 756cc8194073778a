package io.qwen4j.core.tokenizer;

import java.util.Arrays;

/** A growable list of ints, to collect token ids without boxing. */
final class IntList {

    private int[] values;
    private int size;

    IntList(int capacity) {
        values = new int[Math.max(4, capacity)];
    }

    void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    void addAll(int[] more) {
        if (size + more.length > values.length) {
            values = Arrays.copyOf(values, Math.max(size * 2, size + more.length));
        }
        System.arraycopy(more, 0, values, size, more.length);
        size += more.length;
    }

    void addAll(int[] more, int count) {
        if (size + count > values.length) {
            values = Arrays.copyOf(values, Math.max(size * 2, size + count));
        }
        System.arraycopy(more, 0, values, size, count);
        size += count;
    }

    int size() {
        return size;
    }

    int get(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException(index + " of " + size);
        }
        return values[index];
    }

    /** A copy of the values from index {@code from} to the end. */
    int[] tail(int from) {
        return Arrays.copyOfRange(values, from, size);
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
