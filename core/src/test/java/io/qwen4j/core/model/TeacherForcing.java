package io.qwen4j.core.model;

/** Runs a fixture sequence through a model in one pass and compares the rows the reference stored. */
final class TeacherForcing {

    record Result(int rows, double maxAbsDiff, double meanAbsDiff, int argmaxAgreements) {
        double argmaxAgreement() {
            return (double) argmaxAgreements / rows;
        }
    }

    private TeacherForcing() {
    }

    static Result compare(Model m, Fixtures.Prompt p, int vocab) {
        int[] seq = p.sequence();
        int[] input = java.util.Arrays.copyOf(seq, seq.length - 1);
        float[][] ours = new float[input.length][];
        Session s = m.newSessionWithAllLogits(input.length);
        s.ingestAll(input, (i, logits, off) -> ours[i] = java.util.Arrays.copyOfRange(logits, off, off + vocab));
        double max = 0;
        double sum = 0;
        int agree = 0;
        for (int r = 0; r < p.positions().length; r++) {
            float[] want = p.logits()[r];
            float[] got = ours[p.positions()[r]];
            for (int v = 0; v < vocab; v++) {
                double d = Math.abs(want[v] - got[v]);
                max = Math.max(max, d);
                sum += d;
            }
            if (Fixtures.argmax(want, 0, vocab) == Fixtures.argmax(got, 0, vocab)) {
                agree++;
            }
        }
        int rows = p.positions().length;
        return new Result(rows, max, sum / ((double) rows * vocab), agree);
    }
}
