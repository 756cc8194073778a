package io.qwen4j.core.tensor;

import io.qwen4j.core.gguf.GGUFFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class QuantizerTest {

    private static final Path QUANTS = Path.of(System.getProperty("qwen4j.testdata", "../testdata"))
            .resolve("models/qwen3-tiny");

    /**
     * The qwen3-tiny quant fixtures were written by llama-quantize (no imatrix) from an F32 GGUF holding exactly the
     * BF16 weights of model.gguf: quantising those weights here must give the same bytes, tensor by tensor.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q6_K", "Q4_K_M", "Q5_K_M", "Q3_K_M", "Q2_K"})
    void reproducesLlamaQuantizeBitForBit(String fixture) {
        try (GGUFFile source = GGUFFile.open(QUANTS.resolve("model.gguf"));
             GGUFFile quantised = GGUFFile.open(QUANTS.resolve("quants/" + fixture + "/model.gguf"))) {
            Map<String, String> mismatches = new TreeMap<>();
            int compared = 0;
            for (Tensor q : quantised.tensors().values()) {
                assertTrue(Quantizer.canQuantize(q.type()), q.name() + " " + q.type());
                float[] weights = Tensors.toFloats(source.tensor(q.name()));
                MemorySegment ours = Arena.ofAuto().allocate(q.data().byteSize());
                Quantizer.quantize(q.type(), weights, 0, weights.length, ours, 0);
                long differentBlocks = differentBlocks(q.type(), ours, q.data());
                if (differentBlocks > 0) {
                    mismatches.put(q.name(), q.type() + ": " + differentBlocks + " of "
                            + weights.length / q.type().blockSize + " blocks differ");
                }
                compared++;
            }
            assertEquals(quantised.tensors().size(), compared);
            assertTrue(mismatches.isEmpty(), fixture + ": " + mismatches);
        }
    }

    private static long differentBlocks(GGMLType type, MemorySegment a, MemorySegment b) {
        assertEquals(b.byteSize(), a.byteSize());
        long blocks = a.byteSize() / type.typeSize;
        long different = 0;
        for (long k = 0; k < blocks; k++) {
            long off = k * type.typeSize;
            if (MemorySegment.mismatch(a, off, off + type.typeSize, b, off, off + type.typeSize) >= 0) {
                different++;
            }
        }
        return different;
    }

    /**
     * Quantise then dequantise (with the tests' scalar reference): every value within the type's worst case, a
     * fraction of its block's range.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"})
    void roundTripIsWithinTheGridStep(GGMLType type) {
        Random rnd = new Random(type.ordinal());
        int n = 32 * 40;
        float[] x = new float[n + 3];
        for (int i = 0; i < x.length; i++) {
            // blocks of very different scales, some with an outlier
            x[i] = (float) (rnd.nextGaussian() * Math.pow(10, (i / 32) % 5 - 3) * (rnd.nextInt(50) == 0 ? 8 : 1));
        }
        MemorySegment seg = Arena.ofAuto().allocate(type.byteSize(n) + 5).asSlice(5);
        Quantizer.quantize(type, x, 3, n, seg, 0);
        double[] back = ReferenceWeights.dequantize(type, seg, 0, n);
        for (int b = 0; b < n / 32; b++) {
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (int j = 0; j < 32; j++) {
                min = Math.min(min, x[3 + 32 * b + j]);
                max = Math.max(max, x[3 + 32 * b + j]);
            }
            double amax = Math.max(-min, max);
            // half a grid step (for the symmetric 4/5-bit types a whole step at the clamped end), plus the F16
            // rounding of the scale and minimum (2^-11 relative)
            double f16 = 1.0 / 2048;
            double bound = 1e-6 * amax + switch (type) {
                case Q8_0 -> amax / 127 / 2 + amax * f16;
                case Q4_0 -> amax / 8 + amax * f16;
                case Q5_0 -> amax / 16 + amax * f16;
                case Q4_1 -> (max - min) / 15 / 2 + (max - min + Math.abs(min)) * f16;
                case Q5_1 -> (max - min) / 31 / 2 + (max - min + Math.abs(min)) * f16;
                default -> throw new IllegalArgumentException(type.toString());
            };
            for (int j = 0; j < 32; j++) {
                int i = 32 * b + j;
                double err = Math.abs(back[i] - x[3 + i]);
                if (!(err <= bound)) {
                    fail(type + " value " + i + ": " + x[3 + i] + " came back as " + back[i] + ", bound " + bound);
                }
            }
        }
    }

    /**
     * Every block type on Gaussian data (super-blocks of very different scales): the RMS error of each super-block relative
     * to its RMS, below a bound about 1.2x what each type achieves (measured 0.314, 0.172, 0.077, 0.039, 0.020,
     * 0.0058, 0.094, 0.083, 0.049, 0.040).
     */
    @ParameterizedTest
    @CsvSource({"Q2_K, 0.36", "Q3_K, 0.20", "Q4_K, 0.09", "Q5_K, 0.046", "Q6_K, 0.023",
            "Q8_0, 0.007", "Q4_0, 0.11", "Q4_1, 0.10", "Q5_0, 0.056", "Q5_1, 0.048"})
    void roundTripRmsErrorIsTheTypesUsual(GGMLType type, double bound) {
        Random rnd = new Random(42);
        int n = 256 * 24;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.pow(10, (i / 256) % 4 - 2));
        }
        MemorySegment seg = Arena.ofAuto().allocate(type.byteSize(n));
        Quantizer.quantize(type, x, 0, n, seg, 0);
        double[] back = ReferenceWeights.dequantize(type, seg, 0, n);
        double worst = 0;
        for (int b = 0; b < n / 256; b++) {
            double err = 0;
            double sum = 0;
            for (int i = 256 * b; i < 256 * (b + 1); i++) {
                err += (back[i] - x[i]) * (back[i] - x[i]);
                sum += (double) x[i] * x[i];
            }
            worst = Math.max(worst, Math.sqrt(err / sum));
        }
        System.out.printf("%s round trip: worst super-block relative RMS error %.4f%n", type, worst);
        assertTrue(worst <= bound, type + ": relative RMS error " + worst + " above " + bound);
        assertTrue(worst >= bound / 3, type + ": relative RMS error " + worst + " is suspiciously small");
    }

    @Test
    void floatTypesAreStoredExactlyOrRoundedToNearestEven() {
        float[] x = {1f, -2.5f, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000),
                Float.intBitsToFloat(0x3F808001), Float.MAX_VALUE, Float.intBitsToFloat(0x7F800001),
                Float.intBitsToFloat(0xFFC12345), Float.NEGATIVE_INFINITY, 1e-40f};
        MemorySegment f32 = Arena.ofAuto().allocate(4L * x.length);
        Quantizer.quantize(GGMLType.F32, x, 0, x.length, f32, 0);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(x[i]), f32.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(LittleEndian.ORDER), 4L * i), "F32 " + i);
        }
        MemorySegment bf16 = Arena.ofAuto().allocate(2L * x.length);
        Quantizer.quantize(GGMLType.BF16, x, 0, x.length, bf16, 0);
        // ties to even (down, then up), above a tie, overflow to infinity, NaNs made quiet, subnormals kept
        int[] expected = {0x3F80, 0xC020, 0x3F80, 0x3F82, 0x3F81, 0x7F80, 0x7FC0, 0xFFC1, 0xFF80, 0x0001};
        for (int i = 0; i < x.length; i++) {
            assertEquals(expected[i], bf16.get(LittleEndian.SHORT, 2L * i) & 0xFFFF, "BF16 " + i);
        }
        MemorySegment f16 = Arena.ofAuto().allocate(2L * x.length);
        Quantizer.quantize(GGMLType.F16, x, 0, 3, f16, 0);
        assertEquals(0x3C00, f16.get(LittleEndian.SHORT, 0) & 0xFFFF);
        assertEquals(0xC100, f16.get(LittleEndian.SHORT, 2) & 0xFFFF);
        // 1 + 2^-8 is four F16 ulps above 1: exact
        assertEquals(0x3C04, f16.get(LittleEndian.SHORT, 4) & 0xFFFF);
    }

    @Test
    void q8_0RoundsHalfAwayFromZeroLikeRoundf() {
        // amax 127 gives d = 1 exactly: -2.5 -> -3, 2.5 -> 3, 0.5 -> 1, -0.5 -> -1
        float[] x = new float[32];
        x[0] = 127f;
        x[1] = -2.5f;
        x[2] = 2.5f;
        x[3] = 0.5f;
        x[4] = -0.5f;
        x[5] = 0.49999997f;
        MemorySegment seg = Arena.ofAuto().allocate(34);
        Quantizer.quantize(GGMLType.Q8_0, x, 0, 32, seg, 0);
        assertEquals(Float.floatToFloat16(1f), seg.get(LittleEndian.SHORT, 0));
        byte[] expected = {127, -3, 3, 1, -1, 0, 0};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], seg.get(ValueLayout.JAVA_BYTE, 2 + i), "q" + i);
        }
    }

    @Test
    void allZeroBlocksHaveZeroScale() {
        for (GGMLType type : GGMLType.values()) {
            if (!Quantizer.canQuantize(type)) {
                continue;
            }
            int n = type.blockSize == 1 ? 8 : type.blockSize;
            MemorySegment seg = Arena.ofAuto().allocate(type.byteSize(n));
            seg.fill((byte) 0x55);
            Quantizer.quantize(type, new float[n], 0, n, seg, 0);
            double[] back = ReferenceWeights.dequantize(type, seg, 0, n);
            for (double v : back) {
                assertEquals(0.0, v, 0.0, type.toString()); // ggml writes d = -0.0 for Q4_0 and Q5_0
            }
        }
    }

    @Test
    void badArgumentsAreRejected() {
        MemorySegment seg = Arena.ofAuto().allocate(1024);
        float[] x = new float[64];
        assertFalse(Quantizer.canQuantize(GGMLType.Q8_K));
        assertFalse(Quantizer.canQuantize(GGMLType.I32));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Quantizer.quantize(GGMLType.Q8_K, x, 0, 0, seg, 0));
        assertTrue(e.getMessage().contains("Q8_K"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(GGMLType.Q4_0, x, 0, 40, seg, 0));
        assertTrue(e.getMessage().contains("block size 32"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> Quantizer.quantize(GGMLType.Q4_0, x, 1, 64, seg, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Quantizer.quantize(GGMLType.F32, x, 0, 64, seg, 800));
        x[37] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(GGMLType.Q8_0, x, 0, 64, seg, 0));
        assertTrue(e.getMessage().contains("value 37") && e.getMessage().contains("NaN"), e.getMessage());
        Quantizer.quantize(GGMLType.F16, x, 0, 64, seg, 0); // float types keep NaN
        assertTrue(Float.isNaN(Float.float16ToFloat(seg.get(LittleEndian.SHORT, 74))));
    }
}
