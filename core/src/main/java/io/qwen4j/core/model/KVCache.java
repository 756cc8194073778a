package io.qwen4j.core.model;

/**
 * Keys and values of every processed position, per layer, laid out {@code [kvHead][position][headDim]} so that
 * one head's keys for consecutive positions are contiguous: decode reads them front to back. Stored as F32 or as
 * F16 (IEEE half, converted on write and widened on read).
 */
final class KVCache {

    final KVCacheType type;
    final int contextLength;
    final int headDim;
    final float[][] keys;     // [layer][kvHead * contextLength * headDim], F32 caches
    final float[][] values;
    final short[][] keys16;   // the same layout in F16 bits, F16 caches
    final short[][] values16;

    KVCache(ModelConfig c, int contextLength, KVCacheType type) {
        this.type = type;
        this.contextLength = contextLength;
        this.headDim = c.headDim();
        long perLayer = (long) c.numKeyValueHeads() * contextLength * c.headDim();
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("context length " + contextLength + " needs a KV cache larger than 2^31 values per layer");
        }
        int layers = c.numHiddenLayers();
        boolean f16 = type == KVCacheType.F16;
        keys = f16 ? null : new float[layers][(int) perLayer];
        values = f16 ? null : new float[layers][(int) perLayer];
        keys16 = f16 ? new short[layers][(int) perLayer] : null;
        values16 = f16 ? new short[layers][(int) perLayer] : null;
    }

    /** Offset of (kvHead, position) in a layer's array. */
    int offset(int kvHead, int position) {
        return (kvHead * contextLength + position) * headDim;
    }

    /** Writes one head's key and value at a position. */
    void store(int layer, int kvHead, int position, float[] k, int kOff, float[] v, int vOff) {
        int dst = offset(kvHead, position);
        if (type == KVCacheType.F32) {
            System.arraycopy(k, kOff, keys[layer], dst, headDim);
            System.arraycopy(v, vOff, values[layer], dst, headDim);
        } else {
            short[] kd = keys16[layer];
            short[] vd = values16[layer];
            for (int i = 0; i < headDim; i++) {
                kd[dst + i] = Float.floatToFloat16(k[kOff + i]);
                vd[dst + i] = Float.floatToFloat16(v[vOff + i]);
            }
        }
    }

    /** Copies the first {@code length} positions of every head and layer from a cache of the same model and type. */
    void copyPrefix(KVCache from, int kvHeads, int length) {
        if (from.type != type) {
            throw new IllegalArgumentException("cannot copy a " + from.type + " cache into a " + type + " cache");
        }
        int n = length * headDim;
        int layers = type == KVCacheType.F32 ? keys.length : keys16.length;
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) {
                if (type == KVCacheType.F32) {
                    System.arraycopy(from.keys[l], from.offset(h, 0), keys[l], offset(h, 0), n);
                    System.arraycopy(from.values[l], from.offset(h, 0), values[l], offset(h, 0), n);
                } else {
                    System.arraycopy(from.keys16[l], from.offset(h, 0), keys16[l], offset(h, 0), n);
                    System.arraycopy(from.values16[l], from.offset(h, 0), values16[l], offset(h, 0), n);
                }
            }
        }
    }

    long bytes() {
        long perLayer = (long) (type == KVCacheType.F32 ? keys[0].length : keys16[0].length);
        int layers = type == KVCacheType.F32 ? keys.length : keys16.length;
        return 2L * layers * perLayer * type.bytesPerValue;
    }
}
