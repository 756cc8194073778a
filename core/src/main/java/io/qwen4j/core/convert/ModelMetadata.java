package io.qwen4j.core.convert;

import io.qwen4j.core.gguf.GGUFWriter;
import io.qwen4j.core.model.Architecture;
import io.qwen4j.core.model.ModelConfig;
import io.qwen4j.core.model.MoeConfig;
import io.qwen4j.core.model.RopeScaling;

import java.util.List;

/**
 * The {@code general.*} and {@code {arch}.*} keys llama.cpp's converter writes for a Qwen model, in its order. For
 * Qwen1 it writes {@code qwen.attention.layer_norm_rms_epsilon} and {@code qwen.rope.dimension_count}, the keys
 * llama.cpp's loader reads (today's converter writes {@code layer_norm_epsilon}, which the loader rejects).
 */
final class ModelMetadata {

    /** llama.cpp's GGML_QNT_VERSION, stored in general.quantization_version. */
    static final int QUANTIZATION_VERSION = 2;

    private ModelMetadata() {
    }

    /**
     * @param explicitHeadDim whether the checkpoint gives head_dim (then key_length/value_length are written)
     * @param tensors         the tensors to be written, for general.size_label
     */
    static void put(GGUFWriter w, String name, ModelConfig c, boolean explicitHeadDim, FileType fileType,
                    List<OutputTensor> tensors) {
        Architecture arch = c.architecture();
        String p = arch.ggufName + ".";
        w.putString("general.architecture", arch.ggufName);
        w.putString("general.type", "model");
        w.putString("general.name", name);
        w.putString("general.size_label", sizeLabel(tensors));
        w.putUInt32(p + "block_count", c.numHiddenLayers());
        w.putUInt32(p + "context_length", c.maxPositionEmbeddings());
        w.putUInt32(p + "embedding_length", c.hiddenSize());
        // Qwen1's config counts w1 and w2 together: GGUF keeps that number and llama.cpp halves it
        w.putUInt32(p + "feed_forward_length", arch == Architecture.QWEN ? 2L * c.intermediateSize() : c.intermediateSize());
        w.putUInt32(p + "attention.head_count", c.numAttentionHeads());
        if (arch != Architecture.QWEN) {
            w.putUInt32(p + "attention.head_count_kv", c.numKeyValueHeads());
        }
        w.putFloat32(p + "rope.freq_base", (float) c.ropeTheta());
        w.putFloat32(p + "attention.layer_norm_rms_epsilon", c.rmsNormEps());
        MoeConfig moe = c.moe();
        if (moe != null) {
            w.putUInt32(p + "expert_count", moe.numExperts());
            w.putUInt32(p + "expert_used_count", moe.numExpertsPerTok());
        }
        if (explicitHeadDim) {
            w.putUInt32(p + "attention.key_length", c.headDim());
            w.putUInt32(p + "attention.value_length", c.headDim());
        }
        if (arch == Architecture.QWEN) {
            w.putUInt32(p + "rope.dimension_count", c.headDim());
        }
        w.putUInt32("general.file_type", fileType.id);
        if (moe != null) {
            w.putUInt32(p + "expert_feed_forward_length", moe.moeIntermediateSize());
            if (moe.hasSharedExpert()) {
                w.putUInt32(p + "expert_shared_feed_forward_length", moe.sharedExpertIntermediateSize());
            }
        }
        putRopeScaling(w, p, c.ropeScaling());
        w.putUInt32("general.quantization_version", QUANTIZATION_VERSION);
    }

    private static void putRopeScaling(GGUFWriter w, String p, RopeScaling s) {
        switch (s.type()) {
            case NONE -> { }
            case LINEAR -> {
                w.putString(p + "rope.scaling.type", "linear");
                w.putFloat32(p + "rope.scaling.factor", (float) s.factor());
            }
            case YARN -> {
                w.putString(p + "rope.scaling.type", "yarn");
                w.putFloat32(p + "rope.scaling.factor", (float) s.factor());
                w.putUInt32(p + "rope.scaling.original_context_length", s.originalMaxPositionEmbeddings());
                if (s.betaFast() != 32) {
                    w.putFloat32(p + "rope.scaling.yarn_beta_fast", (float) s.betaFast());
                }
                if (s.betaSlow() != 1) {
                    w.putFloat32(p + "rope.scaling.yarn_beta_slow", (float) s.betaSlow());
                }
            }
        }
    }

    /**
     * gguf-py's size label: the parameter count rounded to two significant digits with K/M/B/T ("2.7M"), and for MoE
     * models "{experts}x{shared + one expert's}" ("8x3.3M").
     */
    static String sizeLabel(List<OutputTensor> tensors) {
        long total = 0;
        long shared = 0;
        long expertParams = 0;
        long expertSum = 0;
        int expertTensors = 0;
        for (OutputTensor t : tensors) {
            long n = t.elementCount();
            total += n;
            if (t.name().contains("_exps.")) {
                long experts = t.shape()[0];
                expertParams += n / experts;
                expertSum += experts;
                expertTensors++;
            } else {
                shared += n;
            }
        }
        if (expertTensors > 0) {
            return (expertSum / expertTensors) + "x" + rounded(shared + expertParams);
        }
        return rounded(total);
    }

    private static String rounded(long count) {
        double scaled;
        String suffix;
        if (count > 1e12) {
            scaled = count * 1e-12;
            suffix = "T";
        } else if (count > 1e9) {
            scaled = count * 1e-9;
            suffix = "B";
        } else if (count > 1e6) {
            scaled = count * 1e-6;
            suffix = "M";
        } else {
            scaled = count * 1e-3;
            suffix = "K";
        }
        String integer = Long.toString(Math.round(scaled)).replaceFirst("^0+", "");
        int decimals = Math.max(2 - integer.length(), 0);
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f%s", scaled, suffix);
    }
}
