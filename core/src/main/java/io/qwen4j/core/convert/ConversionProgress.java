package io.qwen4j.core.convert;

/** Told how far a file is written; may be called from several threads at once. */
@FunctionalInterface
public interface ConversionProgress {

    ConversionProgress NONE = (done, total) -> { };

    /** {@code doneBytes} of the {@code totalBytes} of tensor data are written. */
    void update(long doneBytes, long totalBytes);
}
