package io.qwen4j.core.convert;

import io.qwen4j.core.tensor.GGMLType;

import java.util.Optional;

/**
 * Which type each tensor gets when a file is quantised, following llama-quantize's rules
 * ({@code llama_tensor_get_type} in llama.cpp's {@code src/llama-quant.cpp}, without importance matrices), so that a
 * {@code Q4_K_M} file made here has the same per-tensor types as one made by llama-quantize.
 *
 * <p>Only matrices are quantised: 1-D tensors, {@code *_norm.weight} and the MoE routers ({@code ffn_gate_inp})
 * keep their type. Among the rules: the output matrix (or the token embeddings when they are tied to it) gets Q6_K
 * in every quantised type but Q8_0; in Q4_K_M and Q5_K_M, {@code attn_v} and {@code ffn_down} get Q6_K in the first
 * and last eighth of the layers and every third layer between; models with exactly 8 experts get Q8_0 for
 * {@code attn_k} and {@code attn_v}. A row length the chosen block does not divide falls back to a type with
 * 32-element blocks (Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0), then to F16.
 */
public final class QuantMix {

    /**
     * What the rules look at besides a tensor's name and shape.
     *
     * @param hasOutput false when the output matrix is tied to the token embeddings (no {@code output.weight})
     */
    public record ModelFacts(int layers, int headCount, int headCountKv, int experts, boolean hasOutput) {
        public ModelFacts {
            if (layers < 1 || headCount < 1 || headCountKv < 1 || experts < 0) {
                throw new IllegalArgumentException("bad model facts: " + layers + " layers, " + headCount + "/"
                        + headCountKv + " heads, " + experts + " experts");
            }
        }

        int gqa() {
            return headCount / headCountKv;
        }
    }

    private final FileType fileType;
    private final ModelFacts facts;

    public QuantMix(FileType fileType, ModelFacts facts) {
        this.fileType = fileType;
        this.facts = facts;
    }

    /** Whether llama-quantize converts this tensor at all (it copies the others unchanged). */
    public static boolean isQuantizable(String name, long[] shape) {
        return name.endsWith("weight") && dimensions(shape) >= 2 && !name.contains("_norm.weight")
                && !name.contains("ffn_gate_inp.weight");
    }

    /**
     * ggml's {@code ggml_n_dims}: outer dimensions of size 1 do not count, so Qwen2-MoE's shared-expert gate
     * {@code [1, hidden]} is one-dimensional and stays F32.
     */
    static int dimensions(long[] shape) {
        for (int i = 0; i < shape.length - 1; i++) {
            if (shape[i] > 1) {
                return shape.length - i;
            }
        }
        return 1;
    }

    /** The type for this tensor, or empty when it keeps the type it has. {@code shape} is outermost first. */
    public Optional<GGMLType> typeFor(String name, long[] shape) {
        if (!isQuantizable(name, shape)) {
            return Optional.empty();
        }
        if (!fileType.isQuantized()) {
            return Optional.of(fileType.baseType);
        }
        long rowLength = shape[shape.length - 1];
        GGMLType chosen = ruleFor(name, rowLength);
        return Optional.of(rowLength % chosen.blockSize == 0 ? chosen : fallback(name, chosen, rowLength));
    }

    private GGMLType ruleFor(String name, long rowLength) {
        GGMLType type = fileType.baseType;
        FileType ft = fileType;
        if (name.equals("output.weight") || (!facts.hasOutput() && name.equals("token_embd.weight"))) {
            if (rowLength % type.blockSize != 0) {
                return GGMLType.Q8_0;
            }
            return type == GGMLType.Q8_0 ? type : GGMLType.Q6_K;
        }
        if (name.contains("attn_v.weight")) {
            int layer = layerOf(name);
            if (ft == FileType.Q2_K) {
                type = facts.gqa() >= 4 ? GGMLType.Q4_K : GGMLType.Q3_K;
            } else if (ft == FileType.Q3_K_M) {
                type = layer < 2 ? GGMLType.Q5_K : GGMLType.Q4_K;
            } else if ((ft == FileType.Q4_K_M || ft == FileType.Q5_K_M) && useMoreBits(layer, facts.layers())) {
                type = GGMLType.Q6_K;
            }
            if (facts.experts() == 8) {
                type = GGMLType.Q8_0; // llama.cpp: "for the 8-expert model, bumping this to Q8_0 trades just ~128MB"
            }
            return type;
        }
        if (name.contains("attn_k.weight")) {
            return facts.experts() == 8 ? GGMLType.Q8_0 : type;
        }
        if (name.contains("ffn_down")) {
            int layer = layerOf(name);
            int n = facts.layers();
            return switch (ft) {
                case Q2_K -> GGMLType.Q3_K;
                case Q3_K_M -> layer < n / 16 ? GGMLType.Q5_K : GGMLType.Q4_K;
                case Q4_K_M, Q5_K_M -> useMoreBits(layer, n) ? GGMLType.Q6_K : type;
                default -> type;
            };
        }
        if (name.contains("attn_output.weight")) {
            if (facts.experts() == 8) {
                return ft == FileType.Q2_K || ft == FileType.Q3_K_M || ft == FileType.Q4_K_M ? GGMLType.Q5_K : type;
            }
            return switch (ft) {
                case Q2_K -> GGMLType.Q3_K;
                case Q3_K_M -> GGMLType.Q4_K;
                default -> type;
            };
        }
        if (name.contains("attn_qkv.weight")) {
            return switch (ft) {
                case Q3_K_M -> GGMLType.Q4_K;
                case Q4_K_M -> GGMLType.Q5_K;
                case Q5_K_M -> GGMLType.Q6_K;
                default -> type;
            };
        }
        return type;
    }

    /** llama.cpp's choice of layers that get more bits: the first and last eighth, and every third in between. */
    static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    private static GGMLType fallback(String name, GGMLType chosen, long rowLength) {
        GGMLType next = switch (chosen) {
            case Q4_K -> GGMLType.Q5_0;
            case Q5_K -> GGMLType.Q5_1;
            case Q6_K -> GGMLType.Q8_0;
            default -> throw new IllegalArgumentException("tensor " + name + ": rows of " + rowLength
                    + " elements cannot be stored as " + chosen + " (block size " + chosen.blockSize
                    + "), and qwen4j has no fallback type for it");
        };
        return rowLength % next.blockSize == 0 ? next : GGMLType.F16;
    }

    /** The layer index of a {@code blk.N.} tensor. */
    static int layerOf(String name) {
        if (name.startsWith("blk.")) {
            int dot = name.indexOf('.', 4);
            if (dot > 4) {
                try {
                    return Integer.parseInt(name.substring(4, dot));
                } catch (NumberFormatException e) {
                    // fall through to the error
                }
            }
        }
        throw new IllegalArgumentException("cannot tell the layer of tensor " + name);
    }

    @Override
    public String toString() {
        return fileType + " mix for " + facts;
    }
}
