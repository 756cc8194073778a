package io.qwen4j.core.model;

/**
 * How rotary positions are stretched beyond the trained context (config.json {@code rope_scaling} /
 * {@code rope_parameters}, GGUF {@code rope.scaling.*}).
 *
 * @param factor                         context extension factor (1 = none)
 * @param originalMaxPositionEmbeddings  the context the model was trained with (YaRN's correction range);
 *                                       0 = the model's max_position_embeddings
 * @param attentionFactor                YaRN: scale of cos/sin; NaN = the paper's {@code 0.1 ln(factor) + 1}
 * @param betaFast                       YaRN: rotations above which dimensions are not interpolated (default 32)
 * @param betaSlow                       YaRN: rotations below which dimensions are fully interpolated (default 1)
 */
public record RopeScaling(Type type, double factor, int originalMaxPositionEmbeddings, double attentionFactor,
                          double betaFast, double betaSlow) {

    public enum Type { NONE, LINEAR, YARN }

    public RopeScaling {
        if (type == null) {
            throw new IllegalArgumentException("rope scaling type is missing");
        }
        if (type != Type.NONE) {
            if (!(factor >= 1) || !Double.isFinite(factor)) {
                throw new IllegalArgumentException("rope scaling factor must be a number >= 1, got " + factor);
            }
        }
        if (type == Type.YARN) {
            if (originalMaxPositionEmbeddings < 0) {
                throw new IllegalArgumentException("YaRN needs original_max_position_embeddings > 0, got "
                        + originalMaxPositionEmbeddings);
            }
            if (!(betaFast > 0) || !(betaSlow > 0)) {
                throw new IllegalArgumentException("YaRN beta_fast and beta_slow must be positive, got "
                        + betaFast + " and " + betaSlow);
            }
        }
    }

    public static RopeScaling none() {
        return new RopeScaling(Type.NONE, 1, 0, 1, 0, 0);
    }

    public static RopeScaling linear(double factor) {
        return new RopeScaling(Type.LINEAR, factor, 0, 1, 0, 0);
    }

    /** YaRN with the paper's defaults (beta_fast 32, beta_slow 1, attention factor from the scale). */
    public static RopeScaling yarn(double factor, int originalMaxPositionEmbeddings) {
        return new RopeScaling(Type.YARN, factor, originalMaxPositionEmbeddings, Double.NaN, 32, 1);
    }

    /** This scaling with the original context filled in where it was left to the model (0). */
    RopeScaling withDefaultOriginal(int maxPositionEmbeddings) {
        return type == Type.YARN && originalMaxPositionEmbeddings == 0
                ? new RopeScaling(type, factor, maxPositionEmbeddings, attentionFactor, betaFast, betaSlow) : this;
    }

    /** The factor cos and sin are multiplied by (YaRN's "mscale"); 1 for the other types. */
    public double cosSinScale() {
        if (type != Type.YARN) {
            return 1;
        }
        if (!Double.isNaN(attentionFactor)) {
            return attentionFactor;
        }
        return factor <= 1 ? 1 : 0.1 * Math.log(factor) + 1;
    }

    @Override
    public String toString() {
        return switch (type) {
            case NONE -> "none";
            case LINEAR -> "linear x" + factor;
            case YARN -> "yarn x" + factor + " over " + originalMaxPositionEmbeddings;
        };
    }
}
