package io.qwen4j.core.model;

/** How keys and values are stored: F16 halves the cache's memory and the bytes attention reads per token. */
public enum KVCacheType {
    F32(Float.BYTES),
    F16(Short.BYTES);

    public final int bytesPerValue;

    KVCacheType(int bytesPerValue) {
        this.bytesPerValue = bytesPerValue;
    }
}
