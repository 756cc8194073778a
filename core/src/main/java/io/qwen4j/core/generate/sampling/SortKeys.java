package io.qwen4j.core.generate.sampling;

/**
 * Packs a (logit, token id) pair into one {@code long} whose natural order is "higher logit first, then lower id",
 * so that candidates sort with the allocation-free {@code Arrays.sort(long[])} and compare with one instruction.
 */
final class SortKeys {

    private SortKeys() {
    }

    /** A key that grows with the logit and, for equal logits, shrinks with the id. */
    static long of(float logit, int id) {
        int bits = Float.floatToRawIntBits(logit + 0f); // + 0f folds -0.0 into +0.0 so they tie
        int ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF); // signed-int order now equals float order
        return ((long) ordered << 32) | (~id & 0xFFFFFFFFL);
    }

    static int id(long key) {
        return ~(int) key;
    }

    static float logit(long key) {
        int ordered = (int) (key >> 32);
        return Float.intBitsToFloat(ordered ^ ((ordered >> 31) & 0x7FFFFFFF));
    }
}
