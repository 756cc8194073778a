package io.qwen4j.core.constrain;

/**
 * Restricts which tokens may come next so that the output stays inside a language (a JSON schema, a grammar).
 * One instance follows one generation: the generator calls {@link #mask} before each draw and {@link #accept} with
 * the token it drew.
 */
public interface TokenConstraint {

    /** Sets the logits of every token that would leave the language to negative infinity. */
    void mask(float[] logits, int vocabularySize);

    /** Advances past {@code tokenId}, which {@link #mask} allowed. */
    void accept(int tokenId);

    /** True when the output so far is a complete sentence of the language, so the generation may end here. */
    boolean isComplete();
}
