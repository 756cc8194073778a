package io.qwen4j.core.model;

/**
 * One sequence being processed: its KV cache and position. Tokens are fed with {@link #ingest}, which returns the
 * logits that predict the next token; long inputs are processed in batches of {@link #DEFAULT_BATCH} tokens.
 * A session is not thread-safe; use one per conversation.
 */
public final class Session {

    /**
     * Prompt tokens per forward pass, as llama.cpp's default micro-batch: the prefill tile packs each weight panel
     * once per pass, so larger passes amortise it (pp512 on qwen3-0.6b Q8_0 was ~1.6-2.5x faster than with 128).
     */
    static final int DEFAULT_BATCH = 512;
    /** Batch of a session that keeps every position's logits (one vocabulary-sized row per token of a batch). */
    static final int ALL_LOGITS_BATCH = 128;

    /** Receives the logits of one position: {@code logits[offset .. offset + vocab)}. */
    @FunctionalInterface
    public interface LogitsRow {
        void accept(int index, float[] logits, int offset);
    }

    private final Transformer transformer;
    private final InferenceState state;
    private final int contextLength;
    private final int vocab;
    private int position;

    Session(Transformer transformer, int contextLength, KVCacheType cacheType, int maxBatch, int logitRows) {
        ModelConfig c = transformer.config();
        if (contextLength <= 0) {
            throw new IllegalArgumentException("context length must be positive, got " + contextLength);
        }
        this.transformer = transformer;
        this.contextLength = contextLength;
        this.vocab = c.vocabSize();
        this.state = new InferenceState(c, contextLength, cacheType, maxBatch, logitRows);
    }

    Transformer transformer() {
        return transformer;
    }

    InferenceState state() {
        return state;
    }

    /** Called by {@link BatchDecoder} after it appended one token to this session. */
    void advance() {
        position++;
    }

    /** Checks that one more token fits and is in the vocabulary, before a batched step. */
    void checkNext(int token) {
        check(new int[] {token});
        startSequence(1);
    }

    /**
     * Makes this session start with the first {@code length} positions of {@code source} (same model), copying their
     * keys and values: several answers to one prompt share its prefill ({@code n > 1}), or a cached prefix is reused.
     */
    public void copyPrefixFrom(Session source, int length) {
        if (source.transformer != transformer) {
            throw new IllegalArgumentException("sessions of different models cannot share their cache");
        }
        if (length < 0 || length > source.position || length > contextLength) {
            throw new IllegalArgumentException("cannot copy " + length + " positions: the source holds " + source.position
                    + " and this session fits " + contextLength);
        }
        state.cache.copyPrefix(source.state.cache, transformer.config().numKeyValueHeads(), length);
        if (state.ntkAlpha != source.state.ntkAlpha) {
            state.rope = new Rope(transformer.config(), contextLength, source.state.ntkAlpha);
            state.ntkAlpha = source.state.ntkAlpha;
        }
        position = length;
    }

    /** Positions already in the KV cache. */
    public int position() {
        return position;
    }

    /** Qwen1's dynamic NTK alpha in use (1 for the other generations and for short inputs). */
    public double ntkAlpha() {
        return state.ntkAlpha;
    }

    /** Bytes of this session's KV cache. */
    public long cacheBytes() {
        return state.cache.bytes();
    }

    public KVCacheType cacheType() {
        return state.cache.type;
    }

    public int contextLength() {
        return contextLength;
    }

    public int vocabularySize() {
        return vocab;
    }

    /**
     * Appends tokens to the sequence and returns the logits after the last one. The returned array is the session's
     * own buffer ({@code [0, vocabularySize())} is valid) and is overwritten by the next call.
     */
    public float[] ingest(int... tokens) {
        check(tokens);
        startSequence(tokens.length);
        float[] logits = null;
        for (int off = 0; off < tokens.length; off += state.maxBatch) {
            int n = Math.min(state.maxBatch, tokens.length - off);
            logits = transformer.forward(state, tokens, off, n, position, false);
            position += n;
        }
        return logits;
    }

    /** Appends tokens and hands the logits of every one of them to {@code rows}, in order. */
    public void ingestAll(int[] tokens, LogitsRow rows) {
        check(tokens);
        startSequence(tokens.length);
        int batch = Math.min(state.maxBatch, state.logitRows);
        for (int off = 0; off < tokens.length; off += batch) {
            int n = Math.min(batch, tokens.length - off);
            float[] logits = transformer.forward(state, tokens, off, n, position, true);
            for (int t = 0; t < n; t++) {
                rows.accept(off + t, logits, t * vocab);
            }
            position += n;
        }
    }

    /**
     * Qwen1's dynamic NTK: the length of the input that starts a sequence picks the RoPE base for the whole
     * sequence, as the reference caches it from the first forward pass.
     */
    private void startSequence(int length) {
        QwenLongContext lc = transformer.config().qwenLongContext();
        if (position != 0 || lc == null) {
            return;
        }
        double alpha = lc.ntkAlpha(length);
        if (alpha != state.ntkAlpha) {
            state.rope = new Rope(transformer.config(), contextLength, alpha);
            state.ntkAlpha = alpha;
        }
    }

    /** Forgets every position from {@code newPosition} on, keeping the cache before it (e.g. a shared chat prefix). */
    public void rewind(int newPosition) {
        if (newPosition < 0 || newPosition > position) {
            throw new IllegalArgumentException("cannot rewind to " + newPosition + ": the session holds " + position + " positions");
        }
        position = newPosition;
    }

    public void reset() {
        position = 0;
    }

    private void check(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to process");
        }
        if (position + tokens.length > contextLength) {
            throw new ContextOverflowException(position, tokens.length, contextLength);
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at index " + i
                        + " is outside the vocabulary (0.." + (vocab - 1) + ")");
            }
        }
    }
}
