package io.qwen4j.core.tensor;

import java.lang.foreign.MemorySegment;

/**
 * F16 weights. The Vector API has no half-precision conversion, but a plain {@code Float.float16ToFloat} loop over a
 * short[] is compiled to vcvtph2ps: rows are bulk-copied and converted in L1-sized chunks, then dotted with SIMD.
 */
final class F16Matrix extends Matrix {

    private static final int CHUNK = 1024;
    private static final ThreadLocal<Chunk> CHUNKS = ThreadLocal.withInitial(Chunk::new);

    private static final class Chunk {
        final short[] halfs = new short[CHUNK];
        final float[] floats = new float[CHUNK];
    }

    F16Matrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.F16, rows, cols, data, base);
    }

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        Chunk chunk = CHUNKS.get();
        int n = cols();
        for (int r = r0; r < r1; r++) {
            long off = rowOffset(r);
            float sum = 0;
            for (int c = 0; c < n; c += CHUNK) {
                int len = Math.min(CHUNK, n - c);
                convert(off + 2L * c, len, chunk.halfs, chunk.floats, 0);
                sum += VectorOps.dot(chunk.floats, 0, x, xOff + c, len);
            }
            out[outOff + r] = sum;
        }
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        short[] halfs = CHUNKS.get().halfs;
        long off = rowOffset(r);
        for (int c = c0; c < c1; c += CHUNK) {
            int len = Math.min(CHUNK, c1 - c);
            convert(off + 2L * c, len, halfs, dst, dstOff + c - c0);
        }
    }

    private void convert(long off, int len, short[] halfs, float[] dst, int dstOff) {
        MemorySegment.copy(data, LittleEndian.SHORT, off, halfs, 0, len);
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = Float.float16ToFloat(halfs[i]);
        }
    }
}
