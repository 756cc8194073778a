package io.qwen4j.core.tensor;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Unaligned little-endian layouts: GGUF and safetensors data is little-endian and safetensors data is not aligned. */
final class LittleEndian {

    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ORDER);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);

    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ORDER);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ORDER);
    private static final VarHandle FLOATS = MethodHandles.byteArrayViewVarHandle(float[].class, ORDER);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ORDER);

    private LittleEndian() {
    }

    static short getShort(byte[] a, int at) {
        return (short) SHORTS.get(a, at);
    }

    static void putShort(byte[] a, int at, short v) {
        SHORTS.set(a, at, v);
    }

    static int getInt(byte[] a, int at) {
        return (int) INTS.get(a, at);
    }

    static long getLong(byte[] a, int at) {
        return (long) LONGS.get(a, at);
    }

    static void putLong(byte[] a, int at, long v) {
        LONGS.set(a, at, v);
    }

    static void putInt(byte[] a, int at, int v) {
        INTS.set(a, at, v);
    }

    static void putFloat(byte[] a, int at, float v) {
        FLOATS.set(a, at, v);
    }
}
