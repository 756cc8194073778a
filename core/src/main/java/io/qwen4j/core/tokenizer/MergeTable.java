package io.qwen4j.core.tokenizer;

import java.util.Arrays;

/**
 * The BPE merges as an open-addressing hash table from a pair of symbol ids (packed in a long) to the merge's
 * rank, plus the id each rank produces. Avoids boxing on the hot path of encoding.
 */
final class MergeTable {

    static final int NO_MERGE = Integer.MAX_VALUE;
    private static final long EMPTY = -1L; // ids are non-negative, so no packed pair is -1

    /** Slot i is keys-and-ranks[2i] = packed pair, [2i+1] = rank: one cache line serves a probe. */
    private final long[] slots;
    private final int[] results;
    private final int mask;

    /**
     * Merges listed in priority order: merge i has rank i.
     *
     * @param left    left symbol id of merge i
     * @param right   right symbol id of merge i
     * @param results the id merge i produces
     */
    MergeTable(int[] left, int[] right, int[] results) {
        this(left, right, identity(left.length), results);
    }

    /**
     * Merges with explicit ranks. Several pairs may share a rank if they produce the same id (tiktoken: every split
     * of a token into two tokens has the token's rank); the encoder then takes the leftmost of them.
     *
     * @param left          left symbol id of merge i
     * @param right         right symbol id of merge i
     * @param ranks         the rank of merge i (non-negative)
     * @param resultsByRank the id that the merges of rank r produce, at index r
     */
    MergeTable(int[] left, int[] right, int[] ranks, int[] resultsByRank) {
        int capacity = Integer.highestOneBit(Math.max(4, left.length * 2 - 1)) << 1;
        this.slots = new long[capacity * 2];
        this.mask = capacity - 1;
        this.results = resultsByRank.clone();
        Arrays.fill(slots, EMPTY);
        for (int i = 0; i < left.length; i++) {
            // A pair listed twice keeps its last rank, as Hugging Face's map of merges does.
            long key = pack(left[i], right[i]);
            int slot = slot(key);
            while (slots[2 * slot] != EMPTY && slots[2 * slot] != key) {
                slot = (slot + 1) & mask;
            }
            slots[2 * slot] = key;
            slots[2 * slot + 1] = ranks[i];
        }
    }

    private static int[] identity(int n) {
        int[] values = new int[n];
        Arrays.setAll(values, i -> i);
        return values;
    }

    private static long pack(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }

    /** The rank of merging {@code left} with {@code right}, or {@link #NO_MERGE}. */
    int rank(int left, int right) {
        long key = pack(left, right);
        int slot = slot(key);
        while (true) {
            long k = slots[2 * slot];
            if (k == key) {
                return (int) slots[2 * slot + 1];
            }
            if (k == EMPTY) {
                return NO_MERGE;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** The id that merge {@code rank} produces. */
    int result(int rank) {
        return results[rank];
    }
}
