package io.qwen4j.core.constrain;

import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * A model's tokens as constrained decoding sees them: the BPE tokens' bytes in a trie (built once per tokenizer and
 * shared), the model's vocabulary size (logit rows beyond the tokenizer's are never allowed) and the
 * end-of-generation ids, allowed only where the grammar is complete. Added tokens other than those ids
 * ({@code <|im_start|>}, {@code <think>}, ...) are never allowed. Immutable and thread-safe.
 */
public final class TokenVocabulary {

    /** Per tokenizer, the vocabularies made for it so far (one per model size and end-of-generation set). */
    private static final Map<Tokenizer, java.util.List<TokenVocabulary>> CACHE = new WeakHashMap<>();

    final TokenTrie trie;
    final int modelVocabularySize;
    final int[] endOfGeneration;
    private final Map<Grammar, ConstraintEngine> engines = new WeakHashMap<>();

    private TokenVocabulary(TokenTrie trie, int modelVocabularySize, int[] endOfGeneration) {
        this.trie = trie;
        this.modelVocabularySize = modelVocabularySize;
        this.endOfGeneration = endOfGeneration;
    }

    /**
     * The vocabulary of a model.
     *
     * @param modelVocabularySize the number of logits the model produces (at least the tokenizer's size, or smaller
     *                            if the model ignores trailing added tokens)
     * @param endOfGenerationIds  the ids that end a generation ({@code model.endOfGenerationIds()}); not empty
     */
    public static TokenVocabulary of(Tokenizer tokenizer, int modelVocabularySize, Set<Integer> endOfGenerationIds) {
        if (modelVocabularySize <= 0) {
            throw new IllegalArgumentException("model vocabulary size must be positive, got " + modelVocabularySize);
        }
        if (endOfGenerationIds.isEmpty()) {
            throw new IllegalArgumentException("at least one end-of-generation id is needed to end a constrained "
                    + "generation");
        }
        int[] eog = endOfGenerationIds.stream().mapToInt(Integer::intValue).sorted().toArray();
        for (int id : eog) {
            if (id < 0 || id >= modelVocabularySize) {
                throw new IllegalArgumentException("end-of-generation id " + id + " is outside the model vocabulary "
                        + "of " + modelVocabularySize);
            }
        }
        synchronized (CACHE) {
            java.util.List<TokenVocabulary> made = CACHE.computeIfAbsent(tokenizer, t -> new java.util.ArrayList<>());
            for (TokenVocabulary v : made) {
                if (v.modelVocabularySize == modelVocabularySize && java.util.Arrays.equals(v.endOfGeneration, eog)) {
                    return v;
                }
            }
            TokenTrie trie = made.isEmpty() ? new TokenTrie(tokenizer) : made.getFirst().trie;
            TokenVocabulary v = new TokenVocabulary(trie, modelVocabularySize, eog);
            made.add(v);
            return v;
        }
    }

    /** The number of logits (ids) a mask covers. */
    public int modelVocabularySize() {
        return modelVocabularySize;
    }

    /** The bytes of a BPE token, or null for an added token or an id the tokenizer does not know. */
    byte[] bytes(int id) {
        return id >= 0 && id < trie.tokenBytes.length ? trie.tokenBytes[id] : null;
    }

    boolean isEndOfGeneration(int id) {
        return java.util.Arrays.binarySearch(endOfGeneration, id) >= 0;
    }

    /** The engine that runs {@code grammar} over this vocabulary, shared by all its constraints. */
    ConstraintEngine engine(Grammar grammar) {
        synchronized (engines) {
            return engines.computeIfAbsent(grammar, g -> new ConstraintEngine(g.compiled(), this));
        }
    }
}
