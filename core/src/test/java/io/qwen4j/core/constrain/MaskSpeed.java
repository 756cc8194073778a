package io.qwen4j.core.constrain;

import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Measures what a mask costs per step on the real Qwen3 vocabulary (151,936 logits) for the test schema, at
 * several parser states. Not a test (speed is not asserted); run with
 * {@code java -cp <test classpath> io.qwen4j.core.constrain.MaskSpeed <testdata dir>}.
 * Three numbers per state: "cold" is the first mask in a fresh engine (no transitions known yet; best of five),
 * "walk" computes the mask again with the transitions known but without the mask cache, "cached" is what a step
 * pays when the state was seen before (applying the cached bits to the logits). Times are the thread's CPU time, so that other
 * processes on a busy machine do not count.
 */
public final class MaskSpeed {

    private MaskSpeed() {
    }

    public static void main(String[] args) {
        System.setProperty("qwen4j.testdata", args.length > 0 ? args[0] : "testdata");
        Tokenizer tokenizer = QwenVocabularyMaskTest.qwen3();
        TokenVocabulary vocab = TokenVocabulary.of(tokenizer, QwenVocabularyMaskTest.MODEL_VOCAB,
                QwenVocabularyMaskTest.EOG);
        System.out.printf("token trie: %d tokens, %d nodes%n", vocab.trie.order.length, vocab.trie.nodeCount);
        Map<String, String> prefixes = new LinkedHashMap<>();
        prefixes.put("start", "");
        prefixes.put("inside a key", "{\"na");
        prefixes.put("inside a string value (maxLength 12)", "{\"name\": \"ab");
        prefixes.put("inside an unbounded string", "{\"name\": \"x\", \"kind\": \"cat\", \"age\": 3, "
                + "\"owner\": {\"id\": 1}, \"note\": \"some");
        prefixes.put("inside a number", "{\"name\": \"x\", \"kind\": \"cat\", \"age\": 1");
        prefixes.put("after a comma", "{\"name\": \"x\",");
        prefixes.put("value of an enum", "{\"name\": \"x\", \"kind\": ");
        System.out.printf("%-40s %10s %10s %10s %10s %10s%n", "state (µs per mask)", "cold", "walk med", "walk p95",
                "cached med", "cached p95");
        measureStates(tokenizer, vocab, prefixes, false); // warms the JIT up
        measureStates(tokenizer, vocab, prefixes, true);
        // A whole constrained generation over random logits, fresh engine: mean mask cost per step.
        for (int round = 0; round < 3; round++) {
            Grammar g = Grammar.fromJsonSchema(TestSchemas.PET);
            Random random = new Random(round);
            long maskNanos = 0;
            int steps = 0;
            for (int walkNo = 0; walkNo < 10; walkNo++) {
                TokenConstraint c = g.newConstraint(vocab);
                float[] logits = new float[QwenVocabularyMaskTest.MODEL_VOCAB];
                for (int step = 0; step < 300; step++) {
                    for (int i = 0; i < logits.length; i++) {
                        logits[i] = random.nextFloat();
                    }
                    long t0 = cpu();
                    c.mask(logits, logits.length);
                    maskNanos += cpu() - t0;
                    steps++;
                    int best = argmax(logits);
                    c.accept(best);
                    if (QwenVocabularyMaskTest.EOG.contains(best)) {
                        break;
                    }
                }
            }
            System.out.printf("random-logit generations, fresh engine (round %d): %d steps, mean %.0f µs per mask%n",
                    round, steps, maskNanos / 1e3 / steps);
        }
    }

    private static void measureStates(Tokenizer tokenizer, TokenVocabulary vocab, Map<String, String> prefixes,
                                      boolean print) {
        int reps = 200;
        for (Map.Entry<String, String> e : prefixes.entrySet()) {
            int[] ids = tokenizer.encode(e.getValue());
            double cold = Double.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                GrammarConstraint c = replay(Grammar.fromJsonSchema(TestSchemas.PET), vocab, ids);
                long t0 = cpu();
                c.engine().allowed(c.state());
                cold = Math.min(cold, (cpu() - t0) / 1e3);
            }
            GrammarConstraint c = replay(Grammar.fromJsonSchema(TestSchemas.PET), vocab, ids);
            double[] walk = new double[reps];
            double[] cached = new double[reps];
            float[] logits = new float[QwenVocabularyMaskTest.MODEL_VOCAB];
            for (int r = -50; r < reps; r++) {
                long t0 = cpu();
                c.engine().compute(c.state());
                long t1 = cpu();
                c.mask(logits, logits.length);
                long t2 = cpu();
                if (r >= 0) {
                    walk[r] = (t1 - t0) / 1e3;
                    cached[r] = (t2 - t1) / 1e3;
                }
            }
            if (print) {
                System.out.printf("%-40s %10.0f %10.0f %10.0f %10.0f %10.0f%n", e.getKey(), cold, pct(walk, 50),
                        pct(walk, 95), pct(cached, 50), pct(cached, 95));
            }
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static GrammarConstraint replay(Grammar g, TokenVocabulary vocab, int[] ids) {
        GrammarConstraint c = (GrammarConstraint) g.newConstraint(vocab);
        for (int id : ids) {
            c.accept(id);
        }
        return c;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double pct(double[] values, int p) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }
}
