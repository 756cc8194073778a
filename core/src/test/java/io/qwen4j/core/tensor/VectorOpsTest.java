package io.qwen4j.core.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Each helper against a scalar loop in double, on lengths around the vector width, with offsets and guards. */
class VectorOpsTest {

    private static final float GUARD = 777.25f;
    private static final int OFF = 3;

    /** Length n at offset OFF, guards on both sides. */
    private static float[] random(int n, Random rnd, double scale) {
        float[] a = new float[n + 2 * OFF];
        Arrays.fill(a, GUARD);
        for (int i = 0; i < n; i++) {
            a[OFF + i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    private static void assertClose(double expected, float actual, double tol, String what) {
        if (!(Math.abs(expected - actual) <= tol * Math.max(1, Math.abs(expected)))) {
            fail(what + ": expected " + expected + ", got " + actual);
        }
    }

    private static void assertGuards(float[] a, int n) {
        for (int i = 0; i < OFF; i++) {
            assertEquals(GUARD, a[i]);
            assertEquals(GUARD, a[OFF + n + i]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 8, 15, 16, 17, 31, 64, 65, 100, 1000})
    void dot(int n) {
        Random rnd = new Random(n);
        float[] a = random(n, rnd, 1);
        float[] b = random(n, rnd, 1);
        double ref = 0;
        double abs = 0;
        for (int i = 0; i < n; i++) {
            ref += (double) a[OFF + i] * b[OFF + i];
            abs += Math.abs((double) a[OFF + i] * b[OFF + i]);
        }
        float got = VectorOps.dot(a, OFF, b, OFF, n);
        assertTrue(Math.abs(got - ref) <= 1e-6 * abs, "dot " + got + " vs " + ref);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 64, 100, 1025})
    void rmsnorm(int n) {
        Random rnd = new Random(n);
        float[] x = random(n, rnd, 3);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (1 + rnd.nextGaussian() * 0.1);
        }
        float eps = 1e-6f;
        double ss = 0;
        for (int i = 0; i < n; i++) {
            ss += (double) x[OFF + i] * x[OFF + i];
        }
        double inv = 1 / Math.sqrt(ss / n + eps);
        double[] ref = new double[n];
        for (int i = 0; i < n; i++) {
            ref[i] = x[OFF + i] * inv * w[i];
        }
        float[] out = random(n, rnd, 1);
        VectorOps.rmsnorm(out, OFF, x, OFF, w, n, eps);
        VectorOps.rmsnorm(x, OFF, x, OFF, w, n, eps); // in place
        for (int i = 0; i < n; i++) {
            assertClose(ref[i], out[OFF + i], 1e-5, "rmsnorm " + i);
            assertClose(ref[i], x[OFF + i], 1e-5, "rmsnorm in place " + i);
        }
        assertGuards(out, n);
        assertGuards(x, n);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 16, 33, 100})
    void saxpyScaleAdd(int n) {
        Random rnd = new Random(n);
        float[] x = random(n, rnd, 1);
        float[] y = random(n, rnd, 1);
        float[] y0 = y.clone();
        VectorOps.saxpy(y, OFF, 0.75f, x, OFF, n);
        for (int i = 0; i < n; i++) {
            assertClose(y0[OFF + i] + 0.75 * x[OFF + i], y[OFF + i], 1e-6, "saxpy " + i);
        }
        assertGuards(y, n);

        float[] s = y.clone();
        VectorOps.scale(s, OFF, n, -2.5f);
        for (int i = 0; i < n; i++) {
            assertClose(-2.5 * y[OFF + i], s[OFF + i], 1e-6, "scale " + i);
        }
        assertGuards(s, n);

        float[] sum = y.clone();
        VectorOps.add(sum, OFF, x, OFF, n);
        for (int i = 0; i < n; i++) {
            assertClose((double) y[OFF + i] + x[OFF + i], sum[OFF + i], 1e-6, "add " + i);
        }
        assertGuards(sum, n);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 16, 33, 100})
    void siluMul(int n) {
        Random rnd = new Random(n);
        float[] g = random(n, rnd, 4);
        float[] u = random(n, rnd, 1);
        if (n > 2) {
            g[OFF] = -100f; // e^100 overflows to infinity in float: silu must still be -0
            g[OFF + 1] = 90f;
        }
        float[] g0 = g.clone();
        VectorOps.siluMul(g, OFF, u, OFF, n);
        for (int i = 0; i < n; i++) {
            double x = g0[OFF + i];
            double ref = x / (1 + Math.exp(-x)) * u[OFF + i];
            assertClose(ref, g[OFF + i], 1e-5, "siluMul " + i + " at " + x);
        }
        assertGuards(g, n);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 15, 16, 17, 100, 1000})
    void softmax(int n) {
        Random rnd = new Random(n);
        float[] x = random(n, rnd, 10);
        x[OFF + n / 2] = 80f; // large logits must not overflow
        float[] x0 = x.clone();
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x0[OFF + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x0[OFF + i] - max);
        }
        float gotMax = VectorOps.softmaxInPlace(x, OFF, n);
        assertEquals((float) max, gotMax);
        double total = 0;
        for (int i = 0; i < n; i++) {
            assertClose(Math.exp(x0[OFF + i] - max) / sum, x[OFF + i], 1e-5, "softmax " + i);
            total += x[OFF + i];
        }
        assertEquals(1.0, total, 1e-5);
        assertGuards(x, n);
    }

    @Test
    void expIsWithinTwoUlpOfMathExp() {
        Random rnd = new Random(3);
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = i < 17 ? new float[] {0f, -0f, 1f, -1f, 0.5f, -0.34657359f, 0.34657359f, -87.3f, 88.7f, -87.4f,
                    -103f, -1e-8f, 10f, -10f, 0.6931472f, -0.6931472f, Float.NEGATIVE_INFINITY}[i]
                    : (float) (rnd.nextDouble() * 176 - 87.3);
        }
        float[] got = x.clone(); // a multiple of the vector length: all of it goes through the vector path
        VectorOps.expInPlace(got, 0, got.length, 0f);
        for (int i = 0; i < x.length; i++) {
            double want = Math.exp(x[i]);
            if (x[i] < -87.33654f) {
                assertEquals(0f, got[i], "e^" + x[i] + " is below the normal range");
            } else {
                assertEquals(want, got[i], 2 * Math.ulp((float) want), "e^" + x[i]);
            }
        }
    }
}
