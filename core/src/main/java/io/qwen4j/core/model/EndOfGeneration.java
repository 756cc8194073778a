package io.qwen4j.core.model;

import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tokens that end a generation. The files name one EOS id (config.json, generation_config.json, GGUF
 * {@code tokenizer.ggml.eos_token_id}), but a Qwen turn ends with {@code <|im_end|>} or {@code <|endoftext|>}
 * whichever the file names, and the FIM/repo separators end it too, as llama.cpp treats them.
 */
final class EndOfGeneration {

    /** Token texts that end a turn in every Qwen vocabulary that has them. */
    static final String[] QWEN_END_TOKENS = {
            "<|endoftext|>", "<|im_end|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"};

    private EndOfGeneration() {
    }

    static Set<Integer> fromGguf(GGUFFile gguf, Tokenizer tokenizer, int vocabSize) {
        Set<Integer> ids = new TreeSet<>();
        for (String key : new String[] {"tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id",
                "tokenizer.ggml.eom_token_id"}) {
            gguf.findInt(key).ifPresent(ids::add);
        }
        return withQwenEndTokens(ids, tokenizer, vocabSize);
    }

    static Set<Integer> withQwenEndTokens(Collection<Integer> fileIds, Tokenizer tokenizer, int vocabSize) {
        Set<Integer> ids = new TreeSet<>(fileIds);
        for (String text : QWEN_END_TOKENS) {
            tokenizer.tokenId(text).ifPresent(ids::add);
        }
        ids.removeIf(id -> id < 0 || id >= vocabSize);
        return ids;
    }
}
