package io.qwen4j.core.convert;

import io.qwen4j.core.tensor.GGMLType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Stores floats as a GGML type. */
final class Encoding {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Encoding() {
    }

    static boolean canEncode(GGMLType type) {
        return type == GGMLType.F32;
    }

    /** Writes {@code src[off, off + n)} as {@code type} at {@code dst[dstOff]}; n is a multiple of the block size. */
    static void encode(GGMLType type, float[] src, int off, int n, MemorySegment dst, long dstOff) {
        if (type == GGMLType.F32) {
            for (int i = 0; i < n; i++) {
                dst.set(F32, dstOff + 4L * i, src[off + i]);
            }
            return;
        }
        throw new UnsupportedOperationException("cannot write " + type + " yet");
    }
}
