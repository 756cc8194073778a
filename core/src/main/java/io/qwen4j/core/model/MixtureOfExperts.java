package io.qwen4j.core.model;

import io.qwen4j.core.tensor.MatMul;
import io.qwen4j.core.tensor.VectorOps;

import java.util.Arrays;

/**
 * An MoE feed-forward: a router picks the top-k experts of each token from a softmax over all experts; each chosen
 * expert runs once on all the tokens routed to it (gathered into one batch, so its weights are read once), and
 * their outputs are summed with the router weights. Only diff between the generations: Qwen3-MoE renormalises the
 * top-k weights ({@code norm_topk_prob}), Qwen2-MoE keeps them as they are and adds a shared expert scaled by
 * {@code sigmoid(shared_expert_gate . x)}.
 */
final class MixtureOfExperts {

    private final MoeConfig moe;
    private final int hidden;

    MixtureOfExperts(ModelConfig c) {
        this.moe = c.moe();
        this.hidden = c.hiddenSize();
    }

    /** Reads {@code s.xb} (the normed input of n tokens) and writes the layer's output to {@code s.moe.ffnOut}. */
    void forward(InferenceState s, LayerWeights.Moe m, int n) {
        InferenceState.MoeScratch b = s.moe;
        route(s.xb, m, n, b);
        Arrays.fill(b.ffnOut, 0, n * hidden, 0f);
        LayerWeights.Dense first = m.experts().get(0);
        if (n <= MatMul.SMALL_BATCH && MatMul.batchesTogether(first.gate()) && MatMul.batchesTogether(first.up())
                && MatMul.batchesTogether(first.down())) {
            // only experts with repacked weights share jobs (a stacked GGUF tensor: all experts of a kind alike)
            expertsTogether(s, m, n, b);
        } else {
            expertsOneByOne(s, m, n, b);
        }
        if (m.shared() != null) {
            Transformer.swiglu(s, m.shared(), s.xb, n, b.expertOut);
            for (int t = 0; t < n; t++) {
                float g = sigmoid(VectorOps.dot(m.sharedGate(), 0, s.xb, t * hidden, hidden));
                VectorOps.saxpy(b.ffnOut, t * hidden, g, b.expertOut, t * hidden, hidden);
            }
        }
    }

    /** Prefill: each selected expert on its gathered tokens, one after the other (each a batch of its own). */
    private void expertsOneByOne(InferenceState s, LayerWeights.Moe m, int n, InferenceState.MoeScratch b) {
        for (int e = 0; e < moe.numExperts(); e++) {
            int count = b.count[e];
            if (count == 0) {
                continue; // never computed: only the selected experts cost anything
            }
            int base = e * s.maxBatch;
            for (int i = 0; i < count; i++) {
                System.arraycopy(s.xb, b.tokens[base + i] * hidden, b.expertIn, i * hidden, hidden);
            }
            Transformer.swiglu(s, m.experts().get(e), b.expertIn, count, b.expertOut);
            for (int i = 0; i < count; i++) {
                VectorOps.saxpy(b.ffnOut, b.tokens[base + i] * hidden, b.tokenWeights[base + i], b.expertOut,
                        i * hidden, hidden);
            }
        }
    }

    /**
     * Decoding (a few tokens): the selected experts' gate and up products in one parallel job, then their down
     * products in another ({@link MatMul#applyAll}), where one expert at a time cost three hand-overs to the workers
     * per expert for products of a few hundred rows. Each expert's tokens are gathered into consecutive rows.
     */
    private void expertsTogether(InferenceState s, LayerWeights.Moe m, int n, InferenceState.MoeScratch b) {
        int width = moe.moeIntermediateSize();
        Together g = b.together(n * moe.numExpertsPerTok(), hidden, width);
        int active = 0;
        int row = 0;
        for (int e = 0; e < moe.numExperts(); e++) {
            int count = b.count[e];
            if (count == 0) {
                continue;
            }
            int base = e * s.maxBatch;
            for (int i = 0; i < count; i++) {
                System.arraycopy(s.xb, b.tokens[base + i] * hidden, g.in, (row + i) * hidden, hidden);
            }
            LayerWeights.Dense expert = m.experts().get(e);
            for (int half = 0; half < 2; half++) {
                int p = 2 * active + half;
                g.weights[p] = half == 0 ? expert.gate() : expert.up();
                g.xs[p] = g.in;
                g.xOffs[p] = row * hidden;
                g.ns[p] = count;
                g.outs[p] = half == 0 ? g.gate : g.up;
                g.outOffs[p] = row * width;
            }
            g.experts[active] = e;
            g.rows[active] = row;
            active++;
            row += count;
        }
        MatMul.applyAll(2 * active, g.weights, g.xs, g.xOffs, g.ns, g.outs, g.outOffs);
        VectorOps.siluMul(g.gate, 0, g.up, 0, row * width);
        for (int a = 0; a < active; a++) {
            g.weights[a] = m.experts().get(g.experts[a]).down();
            g.xs[a] = g.gate;
            g.xOffs[a] = g.rows[a] * width;
            g.ns[a] = b.count[g.experts[a]];
            g.outs[a] = g.out;
            g.outOffs[a] = g.rows[a] * hidden;
        }
        MatMul.applyAll(active, g.weights, g.xs, g.xOffs, g.ns, g.outs, g.outOffs);
        for (int a = 0; a < active; a++) {
            int e = g.experts[a];
            int base = e * s.maxBatch;
            for (int i = 0; i < b.count[e]; i++) {
                VectorOps.saxpy(b.ffnOut, b.tokens[base + i] * hidden, b.tokenWeights[base + i], g.out,
                        (g.rows[a] + i) * hidden, hidden);
            }
        }
        Arrays.fill(g.weights, null); // no matrices kept alive by the scratch
    }

    /** Buffers of {@link #expertsTogether} for up to {@code rows} gathered token rows (n tokens times top-k). */
    static final class Together {
        final float[] in;
        final float[] gate;
        final float[] up;
        final float[] out;
        final int[] experts;
        final int[] rows;
        final io.qwen4j.core.tensor.Matrix[] weights;
        final float[][] xs;
        final int[] xOffs;
        final int[] ns;
        final float[][] outs;
        final int[] outOffs;

        Together(int rows, int hidden, int width) {
            in = new float[rows * hidden];
            gate = new float[rows * width];
            up = new float[rows * width];
            out = new float[rows * hidden];
            experts = new int[rows];
            this.rows = new int[rows];
            weights = new io.qwen4j.core.tensor.Matrix[2 * rows];
            xs = new float[2 * rows][];
            xOffs = new int[2 * rows];
            ns = new int[2 * rows];
            outs = new float[2 * rows][];
            outOffs = new int[2 * rows];
        }
    }

    /** Softmax over every expert's router logit, then the top-k (lowest id first on ties), grouped per expert. */
    private void route(float[] xb, LayerWeights.Moe m, int n, InferenceState.MoeScratch b) {
        int experts = moe.numExperts();
        int k = moe.numExpertsPerTok();
        MatMul.apply(m.router(), xb, n, b.routerLogits);
        Arrays.fill(b.count, 0);
        for (int t = 0; t < n; t++) {
            int off = t * experts;
            VectorOps.softmaxInPlace(b.routerLogits, off, experts);
            float sum = 0;
            for (int j = 0; j < k; j++) {
                int best = -1;
                for (int e = 0; e < experts; e++) {
                    if (!chosen(b.selected, t * k, j, e)
                            && (best < 0 || b.routerLogits[off + e] > b.routerLogits[off + best])) {
                        best = e;
                    }
                }
                b.selected[t * k + j] = best;
                b.weights[t * k + j] = b.routerLogits[off + best];
                sum += b.routerLogits[off + best];
            }
            for (int j = 0; j < k; j++) {
                float w = moe.normTopkProb() ? b.weights[t * k + j] / sum : b.weights[t * k + j];
                int e = b.selected[t * k + j];
                int slot = e * (b.tokens.length / experts) + b.count[e]++;
                b.tokens[slot] = t;
                b.tokenWeights[slot] = w;
            }
        }
    }

    private static boolean chosen(int[] selected, int off, int j, int e) {
        for (int i = 0; i < j; i++) {
            if (selected[off + i] == e) {
                return true;
            }
        }
        return false;
    }

    private static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }
}
