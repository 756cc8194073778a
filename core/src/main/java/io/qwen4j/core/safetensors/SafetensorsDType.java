package io.qwen4j.core.safetensors;

import io.qwen4j.core.tensor.GGMLType;

import java.util.Map;

/** The safetensors dtypes qwen4j reads, each as the GGML type with the same element layout. */
final class SafetensorsDType {

    private static final Map<String, GGMLType> TYPES = Map.of(
            "F32", GGMLType.F32,
            "F16", GGMLType.F16,
            "BF16", GGMLType.BF16,
            "F64", GGMLType.F64,
            "I8", GGMLType.I8,
            "I16", GGMLType.I16,
            "I32", GGMLType.I32,
            "I64", GGMLType.I64);

    static final String SUPPORTED = "F32, F16, BF16, F64, I8, I16, I32, I64";

    private SafetensorsDType() {
    }

    /** The GGML type for a dtype name, or null when qwen4j does not read it (U8, BOOL, F8_E4M3, ...). */
    static GGMLType toGGML(String dtype) {
        return TYPES.get(dtype);
    }
}
