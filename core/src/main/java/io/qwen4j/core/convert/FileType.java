package io.qwen4j.core.convert;

import io.qwen4j.core.tensor.GGMLType;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a whole file is quantised to, as llama.cpp names it ({@code llama_ftype}, stored in
 * {@code general.file_type}): a base tensor type, and for the {@code _M} mixes a per-tensor choice made by
 * {@link QuantMix}.
 */
public enum FileType {
    F32(0, GGMLType.F32),
    F16(1, GGMLType.F16),
    BF16(32, GGMLType.BF16),
    Q4_0(2, GGMLType.Q4_0),
    Q4_1(3, GGMLType.Q4_1),
    Q5_0(8, GGMLType.Q5_0),
    Q5_1(9, GGMLType.Q5_1),
    Q8_0(7, GGMLType.Q8_0),
    Q2_K(10, GGMLType.Q2_K),
    Q3_K_M(12, GGMLType.Q3_K),
    Q4_K_M(15, GGMLType.Q4_K),
    Q5_K_M(17, GGMLType.Q5_K),
    Q6_K(18, GGMLType.Q6_K);

    /** The {@code general.file_type} value. */
    public final int id;
    /** The type of the tensors no rule gives another one. */
    public final GGMLType baseType;

    FileType(int id, GGMLType baseType) {
        this.id = id;
        this.baseType = baseType;
    }

    /** Float types are written as they are; the others go through llama-quantize's per-tensor rules. */
    public boolean isQuantized() {
        return baseType.isQuantized();
    }

    /** Parses a name such as {@code q4_k_m} or {@code Q8_0} (case does not matter). */
    public static Optional<FileType> parse(String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.name().equals(upper)).findFirst();
    }

    public static String names() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
