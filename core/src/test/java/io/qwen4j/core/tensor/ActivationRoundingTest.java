package io.qwen4j.core.tensor;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ActivationRoundingTest {

    @Test
    void typesRoundAsTheirLlamaCppDotProductInput() {
        for (GGMLType t : new GGMLType[] {GGMLType.Q4_0, GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q8_0}) {
            assertEquals(ActivationRounding.Kind.Q8_0, ActivationRounding.kindFor(t), t.name());
        }
        for (GGMLType t : new GGMLType[] {GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K}) {
            assertEquals(ActivationRounding.Kind.Q8_K, ActivationRounding.kindFor(t), t.name());
        }
        for (GGMLType t : new GGMLType[] {GGMLType.F32, GGMLType.F16, GGMLType.BF16}) {
            assertEquals(ActivationRounding.Kind.NONE, ActivationRounding.kindFor(t), t.name());
        }
    }

    @Test
    void q8_0BlockWithScaleOneRoundsTiesToEven() {
        // amax 127 makes d = 1 (exact in f16) and 127 / amax = 1, so the outputs are the rounded inputs
        float[] x = new float[64];
        float[] in = {127f, 2.5f, 3.5f, -2.5f, -3.5f, 0.49f, -0.51f, 126.5f};
        System.arraycopy(in, 0, x, 0, in.length);
        Arrays.fill(x, 32, 64, 0f); // an all-zero block stays zero
        float[] out = new float[64];
        ActivationRounding.round(ActivationRounding.Kind.Q8_0, x, 0, 64, out);
        float[] want = new float[64];
        System.arraycopy(new float[] {127f, 2f, 4f, -2f, -4f, 0f, -1f, 126f}, 0, want, 0, 8);
        assertArrayEquals(want, out);
    }

    @Test
    void q8_0ScaleIsStoredAsF16() {
        // amax 1.27: d = 0.01 becomes the f16 (1 + 287 / 1024) / 128 = 0.01000213623046875; 0.5 * 127 / 1.27 = 50 steps of d
        float[] x = new float[32];
        x[0] = 1.27f;
        x[1] = 0.5f;
        float[] out = new float[32];
        ActivationRounding.round(ActivationRounding.Kind.Q8_0, x, 0, 32, out);
        assertEquals(127 * 0.01000213623046875f, out[0]);
        assertEquals(50 * 0.01000213623046875f, out[1]);
    }

    @Test
    void q8_KTakesTheSignOfTheFirstLargestValue() {
        float[] x = new float[512];
        x[3] = -127f; // first of the two largest magnitudes: scale -127 / -127 = 1, d = 1
        x[5] = 127f;
        x[6] = 2.5f;
        x[7] = -0.5f;
        x[256] = 2.54f; // second block: scale -50, d = -0.02
        x[257] = 1f;
        x[258] = -0.03f; // -0.03 * -50 = 1.5 rounds to 2
        float[] out = new float[512];
        ActivationRounding.round(ActivationRounding.Kind.Q8_K, x, 0, 512, out);
        assertEquals(-127f, out[3]);
        assertEquals(127f, out[5]);
        assertEquals(2f, out[6]);
        assertEquals(0f, out[7], 0f); // -0.5 rounds to the even 0
        float d = 1 / (-127f / 2.54f);
        assertEquals(-127 * d, out[256]);
        assertEquals(-50 * d, out[257]);
        assertEquals(2 * d, out[258]);
    }

    @Test
    void matchesThePlainReferenceOnRandomInputs() {
        Random rnd = new Random(11);
        for (GGMLType t : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_K}) {
            float[] x = new float[1024];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian()));
            }
            float[] out = new float[x.length];
            ActivationRounding.round(ActivationRounding.kindFor(t), x, 0, x.length, out);
            double[] want = MatMulTest.roundedAsLlamaCpp(t, x, x.length);
            for (int i = 0; i < x.length; i++) {
                assertEquals((float) want[i], out[i], Math.ulp(out[i]), t + " value " + i);
            }
        }
    }
}
