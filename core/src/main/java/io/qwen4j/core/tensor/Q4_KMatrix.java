package io.qwen4j.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Q4_K: super-blocks of 256 values {@code {f16 d; f16 dmin; uint8 scales[12]; uint8 qs[128]}} in 8 groups of 32.
 * Group s has a 6-bit scale sc and 6-bit min m (packed, see {@link #scaleBytes}); its values are
 * {@code d * sc * q - dmin * m} with q the low nibbles of qs[32 (s / 2) ..] for even s, the high nibbles for odd s.
 */
final class Q4_KMatrix extends Matrix {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.L;
    private static final int BLOCK = 256;
    private static final int BYTES = 144;
    private static final int SCALES = 4;
    private static final int QS = 16;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LittleEndian.ORDER);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LittleEndian.ORDER);

    Q4_KMatrix(String name, int rows, int cols, MemorySegment data, long base) {
        super(name, GGMLType.Q4_K, rows, cols, data, base);
    }

    @Override
    void dotRows(float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        RowScratch scratch = RowScratch.get();
        float[] sums = scratch.sums(x, xOff, cols(), 32);
        // each row is copied onto the heap first: C2 hoists the range checks of array loads out of the loop but
        // kept one MemorySegment bounds check per 8-byte load, a third of the kernel's time (decode 1.2x faster)
        byte[] row = scratch.row((int) rowBytes + 8); // + 8: the 128-bit build loads 8 bytes to use 4
        for (int r = r0; r < r1; r++) {
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, rowOffset(r), row, 0, (int) rowBytes);
            out[outOff + r] = dotRow(row, x, xOff, sums);
        }
    }

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** {@link #scaleBytes} of the block at blk of a row copied onto the heap. */
    static long scaleBytes(byte[] row, int blk, boolean mins) {
        return unpackScales((long) LONG_LE.get(row, blk + SCALES), (int) INT_LE.get(row, blk + SCALES + 8), mins);
    }

    /**
     * One row (copied to the heap): the sum over groups of d * sc * (q . x) minus dmin * m * sum(x). Each pair of
     * groups shares 32 quant bytes (low nibbles for the even group, high for the odd one): they are widened to int
     * lanes straight from L-byte loads and split with a mask and a shift. One loop over the pairs rather than
     * written out: the body must stay small enough for C2 to inline every vector call (see {@link Q6_KMatrix}).
     */
    private float dotRow(byte[] row, float[] x, int xOff, float[] sums) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        float minDot = 0;
        for (int blk = 0, blocks = cols() / BLOCK; blk < blocks; blk++) {
            int off = blk * BYTES;
            int dd = (int) INT_LE.get(row, off);
            float d = Float.float16ToFloat((short) dd);
            float dmin = Float.float16ToFloat((short) (dd >>> 16));
            long sc = scaleBytes(row, off, false);
            long m = scaleBytes(row, off, true);
            for (int g = 0; g < 8; g++, m >>>= 8) {
                minDot += dmin * ((int) m & 0xFF) * sums[8 * blk + g];
            }
            for (int i = 0; i < 4; i++, sc >>>= 16) {
                int xk = xOff + blk * BLOCK + 64 * i;
                int qs = off + QS + 32 * i;
                FloatVector lo = FloatVector.zero(F);
                FloatVector hi = lo;
                for (int c = 0; c < 32; c += L) {
                    IntVector v = (IntVector) ByteVector.fromArray(Simd.B, row, qs + c)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                    lo = ((FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.fromArray(F, x, xk + c), lo);
                    hi = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.fromArray(F, x, xk + c + 32), hi);
                }
                acc0 = lo.fma(FloatVector.broadcast(F, d * ((int) sc & 0xFF)), acc0);
                acc1 = hi.fma(FloatVector.broadcast(F, d * ((int) (sc >>> 8) & 0xFF)), acc1);
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - minDot;
    }

    /**
     * The eight 6-bit scales (minimums when {@code mins}) of the block at blk, one per byte. Packing of the 12 bytes:
     * for s &lt; 4, sc and m are the low 6 bits of bytes s and s + 4; for s &gt;= 4, the low and high nibble of byte
     * s + 4, with their top two bits in bits 6-7 of bytes s - 4 and s. Q5_K packs its scales the same way.
     */
    static long scaleBytes(MemorySegment data, long blk, boolean mins) {
        return unpackScales(data.get(LONG, blk + SCALES), data.get(INT, blk + SCALES + 8), mins);
    }

    /** {@link #scaleBytes} from the 12 scale bytes read as a little-endian long (bytes 0-7) and int (bytes 8-11). */
    private static long unpackScales(long low, int highBytes, boolean mins) {
        long high = highBytes & 0xFFFFFFFFL;
        long top = mins ? low >>> 32 : low;
        long nibble = mins ? high >>> 4 : high;
        return (top & 0x3F3F3F3FL) | ((nibble & 0x0F0F0F0FL) | (top >>> 6 & 0x03030303L) << 4) << 32;
    }

    @Override
    void dequantize(int r, int c0, int c1, float[] dst, int dstOff) {
        // as the row kernel: each pair of groups shares 32 quant bytes, widened to int lanes from L-byte loads and
        // split with a mask and a shift (the 32-byte SWAR unpacking with parts 1-3 converted cost a sixth of MoE
        // prefill, where each expert's panel is packed for few tokens)
        long off = rowOffset(r) + (long) (c0 / BLOCK) * BYTES;
        for (int c = c0; c < c1; c += BLOCK, off += BYTES) {
            int dd = data.get(INT, off);
            float d = Float.float16ToFloat((short) dd);
            float dmin = Float.float16ToFloat((short) (dd >>> 16));
            long sc = scaleBytes(data, off, false);
            long m = scaleBytes(data, off, true);
            for (int i = 0; i < 4; i++, sc >>>= 16, m >>>= 16) {
                FloatVector scale0 = FloatVector.broadcast(F, d * ((int) sc & 0xFF));
                FloatVector min0 = FloatVector.broadcast(F, -(dmin * ((int) m & 0xFF)));
                FloatVector scale1 = FloatVector.broadcast(F, d * ((int) (sc >>> 8) & 0xFF));
                FloatVector min1 = FloatVector.broadcast(F, -(dmin * ((int) (m >>> 8) & 0xFF)));
                long qs = off + QS + 32L * i;
                int o = dstOff + c - c0 + 64 * i;
                for (int j = 0; j < 32; j += L) {
                    IntVector v = Nibbles.widen(data, qs + j);
                    Nibbles.low(v).fma(scale0, min0).intoArray(dst, o + j);
                    Nibbles.high(v).fma(scale1, min1).intoArray(dst, o + 32 + j);
                }
            }
        }
    }
}
