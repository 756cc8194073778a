package io.qwen4j.core.model;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.safetensors.SafetensorsCheckpoint;
import io.qwen4j.core.tensor.Tensor;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import io.qwen4j.core.chat.ChatFormat;

import java.util.Collection;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A loaded Qwen model: config, tokenizer, chat template and weights (memory-mapped, never copied onto the heap).
 * Open it from a GGUF file or a Hugging Face folder with {@link #load(Path)}; run it through a {@link Session}.
 * A model is immutable and can serve many sessions; close it to unmap its files.
 */
public final class Model implements AutoCloseable {

    /** Called while weights load: layers done so far out of all layers. */
    @FunctionalInterface
    public interface LoadProgress {
        void update(int layersLoaded, int layers);
    }

    /**
     * The KV cache type sessions get when none is asked for: F16, half the memory and half the bytes attention
     * reads (it keeps every greedy continuation of the fixtures; F32 remains for exact comparisons).
     */
    public static final KVCacheType DEFAULT_CACHE_TYPE = KVCacheType.F16;

    private final Path path;
    private final String format;
    private final ModelConfig config;
    private final Tokenizer tokenizer;
    private final Set<Integer> endOfGeneration;
    private final String chatTemplate;
    private final Map<String, Object> specialTokens;
    private final List<Tensor> tensors;
    private final Transformer transformer;
    private final AutoCloseable files;

    private Model(Path path, String format, ModelConfig config, Tokenizer tokenizer, Set<Integer> endOfGeneration,
                  String chatTemplate, Map<String, Object> specialTokens, WeightSource weights, LoadProgress progress,
                  AutoCloseable files) {
        this.path = path;
        this.format = format;
        this.config = config;
        this.tokenizer = tokenizer;
        this.endOfGeneration = Set.copyOf(endOfGeneration);
        this.chatTemplate = chatTemplate;
        this.specialTokens = Map.copyOf(specialTokens);
        this.tensors = List.copyOf(weights.all());
        this.files = files;
        this.transformer = new Transformer(config, WeightLoader.load(weights, config,
                progress == null ? null : done -> progress.update(done, config.numHiddenLayers())));
    }

    public static Model load(Path path) {
        return load(path, null);
    }

    public static Model load(Path path, LoadProgress progress) {
        return load(path, null, progress);
    }

    /**
     * Opens a GGUF file or a Hugging Face folder (config.json, safetensors, tokenizer.json).
     *
     * @param ropeScaling replaces the checkpoint's position scaling (e.g. YaRN for long inputs, as Qwen's model
     *                    cards tell users to enable); null keeps the checkpoint's
     */
    public static Model load(Path path, RopeScaling ropeScaling, LoadProgress progress) {
        if (!Files.exists(path)) {
            throw new ModelFormatException(path, "file not found");
        }
        return Files.isDirectory(path) ? loadHf(path, ropeScaling, progress) : loadGguf(path, ropeScaling, progress);
    }

    private static ModelConfig override(ModelConfig config, RopeScaling ropeScaling) {
        return ropeScaling == null ? config : config.withRopeScaling(ropeScaling);
    }

    private static Model loadGguf(Path file, RopeScaling ropeScaling, LoadProgress progress) {
        GGUFFile gguf = GGUFFile.open(file);
        try {
            GgufModelReader reader = new GgufModelReader(gguf);
            ModelConfig config = override(reader.config(), ropeScaling);
            Tokenizer tokenizer = GgufTokenizer.load(gguf);
            Set<Integer> eog = EndOfGeneration.fromGguf(gguf, tokenizer, config.vocabSize());
            String template = gguf.findString("tokenizer.chat_template").orElse(null);
            return new Model(file, "gguf", config, tokenizer, eog, template, ggufSpecialTokens(gguf, tokenizer),
                    reader, progress, gguf);
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    private static Model loadHf(Path dir, RopeScaling ropeScaling, LoadProgress progress) {
        ModelConfig config = override(HfConfigReader.read(dir.resolve("config.json")), ropeScaling);
        Tokenizer tokenizer = Tokenizer.fromDirectory(dir);
        SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir);
        try {
            HfFolder folder = HfFolder.read(dir, tokenizer, config.vocabSize());
            return new Model(dir, "hf", config, tokenizer, folder.endOfGeneration(), folder.chatTemplate().orElse(null),
                    folder.specialTokens(), new HfWeights(checkpoint, dir, config.architecture()), progress, checkpoint);
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    /** GGUF names its special tokens by id; templates get their text. */
    private static Map<String, Object> ggufSpecialTokens(GGUFFile gguf, Tokenizer tokenizer) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        String[][] keys = {{"bos_token", "tokenizer.ggml.bos_token_id"}, {"eos_token", "tokenizer.ggml.eos_token_id"},
                {"unk_token", "tokenizer.ggml.unknown_token_id"}, {"pad_token", "tokenizer.ggml.padding_token_id"}};
        for (String[] k : keys) {
            var id = gguf.findInt(k[1]);
            if (id.isPresent() && tokenizer.isKnown(id.getAsInt())) {
                out.put(k[0], tokenizer.tokenText(id.getAsInt()));
            }
        }
        return out;
    }

    public Path path() {
        return path;
    }

    /** "gguf" or "hf". */
    public String format() {
        return format;
    }

    public ModelConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Token ids that end a turn ({@code <|im_end|>}, {@code <|endoftext|>}, the file's EOS ids...). */
    public Set<Integer> endOfGenerationIds() {
        return endOfGeneration;
    }

    /** The model's own Jinja chat template, if the checkpoint ships one. */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /** The special tokens a chat template may read ({@code eos_token}, {@code pad_token}...), as the file names them. */
    public Map<String, Object> specialTokens() {
        return specialTokens;
    }

    /** The model's chat template, compiled; empty when the checkpoint ships none. */
    public Optional<ChatFormat> chatFormat() {
        return chatTemplate().map(t -> new ChatFormat(t, specialTokens));
    }

    /** Every tensor of the checkpoint, in file order. */
    public Collection<Tensor> tensors() {
        return tensors;
    }

    /** Parameters of the checkpoint: the sum of every tensor's element count. */
    public long parameterCount() {
        return tensors.stream().mapToLong(Tensor::elementCount).sum();
    }

    /**
     * Parameters one token uses: all but the routed experts, plus top-k of every layer's experts (an MoE model
     * reads only those). Equal to {@link #parameterCount()} for dense models.
     */
    public long activeParameterCount() {
        MoeConfig moe = config.moe();
        if (moe == null) {
            return parameterCount();
        }
        long routed = tensors.stream().filter(Model::isRoutedExpert).mapToLong(Tensor::elementCount).sum();
        return parameterCount() - routed + routed / moe.numExperts() * moe.numExpertsPerTok();
    }

    /**
     * Weight bytes one decoded token reads: every tensor except the token embedding (a lookup reads one row) unless
     * the output projection is tied to it, and of the routed experts only the top-k share. Divided by the memory
     * bandwidth, the fastest decode possible.
     */
    public long weightBytesPerToken() {
        boolean tied = tensors.stream().noneMatch(t -> OUTPUT_NAMES.contains(t.name()));
        long bytes = 0;
        long routed = 0;
        for (Tensor t : tensors) {
            if (isRoutedExpert(t)) {
                routed += t.data().byteSize();
            } else if (tied || !EMBEDDING_NAMES.contains(t.name())) {
                bytes += t.data().byteSize();
            }
        }
        MoeConfig moe = config.moe();
        return moe == null ? bytes + routed : bytes + routed / moe.numExperts() * moe.numExpertsPerTok();
    }

    private static final Set<String> EMBEDDING_NAMES = Set.of("token_embd.weight", "model.embed_tokens.weight",
            "transformer.wte.weight");
    private static final Set<String> OUTPUT_NAMES = Set.of("output.weight", "lm_head.weight");

    /** GGUF's stacked {@code ffn_*_exps} or HF's {@code mlp.experts.N.*} (not the shared expert). */
    private static boolean isRoutedExpert(Tensor t) {
        return t.name().contains("_exps.") || t.name().contains(".mlp.experts.");
    }

    /** A new sequence with its own KV cache of {@code contextLength} positions, in the default type. */
    public Session newSession(int contextLength) {
        return newSession(contextLength, DEFAULT_CACHE_TYPE);
    }

    /** A new sequence with its own KV cache of {@code contextLength} positions stored as {@code cacheType}. */
    public Session newSession(int contextLength, KVCacheType cacheType) {
        return newSession(contextLength, cacheType, Session.DEFAULT_BATCH);
    }

    /**
     * As {@link #newSession(int, KVCacheType)}, processing prompts in batches of at most {@code batch} tokens (its
     * scratch buffers grow with the batch; a server slot that prefills in small chunks needs no more).
     */
    public Session newSession(int contextLength, KVCacheType cacheType, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1 token, got " + batch);
        }
        return new Session(transformer, contextLength, cacheType, Math.min(batch, Math.max(1, contextLength)), 1);
    }

    /** A new sequence whose {@link Session#ingestAll} returns every position's logits (F32 cache). */
    public Session newSessionWithAllLogits(int contextLength) {
        // every row of a batch keeps its vocabulary-sized logits: a smaller batch keeps that buffer modest
        return new Session(transformer, contextLength, KVCacheType.F32, Session.ALL_LOGITS_BATCH,
                Session.ALL_LOGITS_BATCH);
    }

    /** A decoder that advances up to {@code maxSequences} sessions of this model by one token in one pass. */
    public BatchDecoder newBatchDecoder(int maxSequences) {
        return new BatchDecoder(transformer, maxSequences);
    }

    /** The context a session gets when the user asks for none: the trained length, capped to keep the cache small. */
    public int defaultContextLength() {
        return Math.min(config.maxPositionEmbeddings(), 4096);
    }

    @Override
    public void close() {
        try {
            files.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + path + ": " + e.getMessage(), e);
        }
    }
}
