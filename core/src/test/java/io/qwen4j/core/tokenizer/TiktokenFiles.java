package io.qwen4j.core.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** Writes qwen.tiktoken files for tests, from the regular vocabulary of a tokenizer.json (ranks = ids). */
final class TiktokenFiles {

    private TiktokenFiles() {
    }

    /** The qwen.tiktoken text of a tokenizer.json's regular tokens: "base64 id" lines in id order. */
    static byte[] fromTokenizerJson(Path tokenizerJson) {
        String[] regular = TokenizerJsonReader.read(tokenizerJson).regular();
        StringBuilder sb = new StringBuilder(regular.length * 16);
        Base64.Encoder base64 = Base64.getEncoder();
        for (int id = 0; id < regular.length; id++) {
            if (regular[id] == null) {
                throw new IllegalArgumentException(tokenizerJson + ": regular id " + id + " is unused");
            }
            sb.append(base64.encodeToString(ByteLevel.decodeToken(regular[id]))).append(' ').append(id).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static Path write(Path file, byte[] content) {
        try {
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, String content) {
        return write(file, content.getBytes(StandardCharsets.UTF_8));
    }
}
