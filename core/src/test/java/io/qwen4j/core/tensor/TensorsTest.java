package io.qwen4j.core.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TensorsTest {

    @Test
    void toFloatsReadsEveryElementOfEachType() {
        for (GGMLType type : ReferenceWeights.TYPES) {
            int n = type.blockSize == 1 ? 37 : 2 * type.blockSize;
            MemorySegment data = ReferenceWeights.random(type, n, 4);
            double[] ref = ReferenceWeights.dequantize(type, data, 0, n);
            float[] got = Tensors.toFloats(new Tensor("blk.0.attn_norm.weight", type, new long[] {n}, data));
            assertEquals(n, got.length);
            for (int i = 0; i < n; i++) {
                assertEquals(ref[i], got[i], 2e-7 * Math.abs(ref[i]), type + " element " + i);
            }
        }
    }

    @Test
    void toFloatsFlattensHigherRanks() {
        MemorySegment data = ReferenceWeights.random(GGMLType.BF16, 12, 9);
        double[] ref = ReferenceWeights.dequantize(GGMLType.BF16, data, 0, 12);
        float[] got = Tensors.toFloats(new Tensor("t", GGMLType.BF16, new long[] {2, 3, 2}, data));
        for (int i = 0; i < 12; i++) {
            assertEquals((float) ref[i], got[i]);
        }
    }
}
