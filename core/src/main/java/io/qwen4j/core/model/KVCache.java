package io.qwen4j.core.model;

/**
 * Keys and values of every processed position, per layer, laid out {@code [kvHead][position][headDim]} so that
 * one head's keys for consecutive positions are contiguous: decode reads them front to back.
 */
final class KVCache {

    final int contextLength;
    final int headDim;
    final float[][] keys;   // [layer][kvHead * contextLength * headDim]
    final float[][] values; // [layer][kvHead * contextLength * headDim]

    KVCache(ModelConfig c, int contextLength) {
        this.contextLength = contextLength;
        this.headDim = c.headDim();
        long perLayer = (long) c.numKeyValueHeads() * contextLength * c.headDim();
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("context length " + contextLength + " needs a KV cache larger than 2^31 values per layer");
        }
        keys = new float[c.numHiddenLayers()][(int) perLayer];
        values = new float[c.numHiddenLayers()][(int) perLayer];
    }

    /** Offset of (kvHead, position) in a layer's array. */
    int offset(int kvHead, int position) {
        return (kvHead * contextLength + position) * headDim;
    }

    long bytes() {
        return 2L * keys.length * keys[0].length * Float.BYTES;
    }
}
