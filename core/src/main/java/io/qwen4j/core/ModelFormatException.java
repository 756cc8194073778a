package io.qwen4j.core;

import java.nio.file.Path;

/**
 * A model, tokenizer or config file that cannot be used: missing, truncated, corrupt or of an unsupported kind.
 * The message is one line that names the file and the problem, fit to show a user as it is.
 */
public class ModelFormatException extends RuntimeException {

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }

    public ModelFormatException(String message) {
        super(message);
    }
}
