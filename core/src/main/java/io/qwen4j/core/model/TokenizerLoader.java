package io.qwen4j.core.model;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Loads only the tokenizer of a model, without touching its weights. */
public final class TokenizerLoader {

    private TokenizerLoader() {
    }

    /** A GGUF file, a tokenizer.json, Qwen1's qwen.tiktoken, or a folder holding one of them. */
    public static Tokenizer load(Path path) {
        if (!Files.exists(path)) {
            throw new ModelFormatException(path, "file not found");
        }
        if (Files.isDirectory(path)) {
            return Tokenizer.fromDirectory(path);
        }
        if (path.getFileName().toString().endsWith(".json")) {
            return Tokenizer.fromTokenizerJson(path);
        }
        if (path.getFileName().toString().endsWith(".tiktoken")) {
            return Tokenizer.fromTiktoken(path);
        }
        try (GGUFFile gguf = GGUFFile.open(path)) {
            return GgufTokenizer.load(gguf);
        }
    }
}
