package io.qwen4j.core.model;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.gguf.GGUFFile;
import io.qwen4j.core.tokenizer.Tokenizer;

/** Builds the tokenizer stored in a GGUF file's {@code tokenizer.ggml.*} metadata. */
final class GgufTokenizer {

    private GgufTokenizer() {
    }

    static Tokenizer load(GGUFFile gguf) {
        String model = gguf.getString("tokenizer.ggml.model");
        if (!model.equals("gpt2")) {
            throw new ModelFormatException(gguf.path(), "unsupported tokenizer.ggml.model '" + model
                    + "' (Qwen models use the byte-level BPE 'gpt2')");
        }
        try {
            return Tokenizer.fromGguf(gguf.getStringArray("tokenizer.ggml.tokens"),
                    gguf.getIntArray("tokenizer.ggml.token_type"), gguf.getStringArray("tokenizer.ggml.merges"));
        } catch (ModelFormatException e) {
            // the tokenizer names the problem; add the file
            throw new ModelFormatException(gguf.path(), e.getMessage());
        }
    }
}
