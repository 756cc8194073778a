package io.qwen4j.core.convert;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.model.Architecture;
import io.qwen4j.core.model.ModelConfig;
import io.qwen4j.core.model.TensorRole;
import io.qwen4j.core.safetensors.SafetensorsCheckpoint;
import io.qwen4j.core.safetensors.SafetensorsFile;
import io.qwen4j.core.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GGUF tensors of a Hugging Face checkpoint, named and ordered as llama.cpp's converter writes them: shards in
 * file name order, each shard's tensors by name, every HF name mapped to its GGUF name through {@link TensorRole};
 * per-expert tensors are stacked into {@code blk.N.ffn_{down,gate,up}_exps} ({@code [experts][out][in]}) at the
 * point where the layer's last expert tensor arrives, in the order down, gate, up.
 */
final class HfTensorPlan {

    /** A GGUF tensor before its output type is chosen. */
    record Planned(String name, long[] shape, RowSource source) {
    }

    private record Target(TensorRole role, int layer, int expert) {
    }

    private static final TensorRole[] EXPERT_ORDER = {
            TensorRole.FFN_DOWN_EXPS, TensorRole.FFN_GATE_EXPS, TensorRole.FFN_UP_EXPS};

    private HfTensorPlan() {
    }

    static List<Planned> plan(SafetensorsCheckpoint checkpoint, ModelConfig config) {
        Map<String, Target> byHfName = hfNames(config);
        int experts = config.isMoe() ? config.moe().numExperts() : 0;
        Map<Integer, Map<String, Tensor>> pendingExperts = new HashMap<>();
        List<Planned> out = new ArrayList<>();
        for (List<Tensor> shard : shards(checkpoint)) {
            for (Tensor t : shard) {
                if (t.name().endsWith(".rotary_emb.inv_freq")) {
                    continue; // a buffer some checkpoints save; llama.cpp computes it
                }
                if (t.name().equals("lm_head.weight") && config.tieWordEmbeddings()) {
                    continue; // tied: the output matrix is the token embeddings
                }
                Target target = byHfName.get(t.name());
                if (target == null) {
                    throw new ModelFormatException(checkpoint.dir(), "tensor '" + t.name() + "' has no GGUF name for "
                            + config.architecture().hfClass);
                }
                if (target.role().isStackedExperts()) {
                    Map<String, Tensor> layer = pendingExperts.computeIfAbsent(target.layer(), l -> new HashMap<>());
                    layer.put(t.name(), t);
                    if (layer.size() == 3 * experts) {
                        pendingExperts.remove(target.layer());
                        for (TensorRole role : EXPERT_ORDER) {
                            out.add(stack(role, target.layer(), experts, layer));
                        }
                    }
                    continue;
                }
                out.add(new Planned(target.role().ggufName(target.layer()), t.shape(), TensorRows.of(t)));
            }
        }
        if (!pendingExperts.isEmpty()) {
            int layer = pendingExperts.keySet().iterator().next();
            throw new ModelFormatException(checkpoint.dir(), "layer " + layer + " has only "
                    + pendingExperts.get(layer).size() + " of its " + 3 * experts + " expert tensors");
        }
        return out;
    }

    private static Planned stack(TensorRole role, int layer, int experts, Map<String, Tensor> layerTensors) {
        List<Tensor> parts = new ArrayList<>(experts);
        for (int e = 0; e < experts; e++) {
            parts.add(layerTensors.get(role.hfExpertName(layer, e)));
        }
        long[] one = parts.getFirst().shape();
        long[] shape = {experts, one[0], one[1]};
        return new Planned(role.ggufName(layer), shape, TensorRows.stacked(parts));
    }

    /** Each shard's tensors sorted by name, shards in file name order (the order the converter reads them). */
    private static List<List<Tensor>> shards(SafetensorsCheckpoint checkpoint) {
        Map<Path, List<Tensor>> byFile = new LinkedHashMap<>();
        checkpoint.files().forEach(f -> byFile.put(f, new ArrayList<>()));
        List<Path> files = checkpoint.files();
        if (files.size() == 1) {
            byFile.get(files.getFirst()).addAll(checkpoint.tensors().values());
        } else {
            // the checkpoint does not say which shard a tensor is in: read the shards' headers again
            Map<String, Path> owner = new HashMap<>();
            for (Path f : files) {
                try (SafetensorsFile file = SafetensorsFile.open(f)) {
                    file.tensors().keySet().forEach(name -> owner.put(name, f));
                }
            }
            checkpoint.tensors().values().forEach(t -> byFile.get(owner.get(t.name())).add(t));
        }
        List<List<Tensor>> out = new ArrayList<>();
        for (List<Tensor> list : byFile.values()) {
            list.sort(Comparator.comparing(Tensor::name));
            out.add(list);
        }
        return out;
    }

    /** Every HF name this architecture's checkpoints may hold, with its role, layer and expert. */
    private static Map<String, Target> hfNames(ModelConfig config) {
        Architecture arch = config.architecture();
        Map<String, Target> map = new HashMap<>();
        for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
            for (TensorRole role : TensorRole.values()) {
                if (role.isStackedExperts()) {
                    if (arch.moe) {
                        for (int e = 0; e < config.moe().numExperts(); e++) {
                            map.put(role.hfExpertName(layer, e), new Target(role, layer, e));
                        }
                    }
                    continue;
                }
                String name = hfName(role, arch, layer);
                if (name != null) {
                    map.putIfAbsent(name, new Target(role, layer, -1));
                }
            }
        }
        return map;
    }

    /** The role's HF name, or null when this architecture has no such tensor. */
    private static String hfName(TensorRole role, Architecture arch, int layer) {
        try {
            return role.hfName(arch, layer);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
