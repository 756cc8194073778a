package io.qwen4j.core.model;

/**
 * Qwen1's two tricks for inputs longer than its training length {@code seq_length}, switched by config.json's
 * {@code use_dynamic_ntk} and {@code use_logn_attn}.
 * <ul>
 * <li>Dynamic NTK: the prompt's length picks {@code alpha = max(2^ceil(log2(len / seq_length) + 1) - 1, 1)}, and
 *     RoPE runs with base {@code theta * alpha^(d / (d - 2))}. The alpha chosen when the sequence is first filled
 *     stays for the tokens that follow, as the reference code caches it.</li>
 * <li>logn attention: the query at 0-based position p is multiplied by {@code log(p + 1) / log(seq_length)} once
 *     {@code p + 1 > seq_length}.</li>
 * </ul>
 */
public record QwenLongContext(int seqLength, boolean useDynamicNtk, boolean useLognAttn) {

    public QwenLongContext {
        if (seqLength <= 0) {
            throw new IllegalArgumentException("seq_length must be positive, got " + seqLength);
        }
    }

    /** The NTK alpha for a sequence first filled with {@code length} tokens. */
    public double ntkAlpha(int length) {
        if (!useDynamicNtk) {
            return 1;
        }
        double contextValue = Math.log((double) length / seqLength) / Math.log(2) + 1;
        double alpha = Math.pow(2, Math.ceil(contextValue)) - 1;
        return Math.max(alpha, 1);
    }

    /** The RoPE base after NTK scaling with {@code alpha}, for heads of {@code dim} rotated dimensions. */
    public static double scaledBase(double base, double alpha, int dim) {
        return base * Math.pow(alpha, (double) dim / (dim - 2));
    }

    /** The query scale at 0-based position {@code p}. */
    public float lognScale(int p) {
        if (!useLognAttn || p + 1 <= seqLength) {
            return 1f;
        }
        return (float) (Math.log(p + 1) / Math.log(seqLength));
    }
}
