package io.qwen4j.core.tokenizer;

/**
 * Remembers the ids of recently encoded pre-tokenized pieces (words recur constantly in text). Direct-mapped: a
 * piece has one slot, chosen by its hash, and a newer piece simply replaces an older one there. Looking a piece
 * up compares chars in place, so a hit allocates nothing. Safe for concurrent use without locks: entries are
 * immutable and a slot write replaces a whole reference.
 */
final class PieceCache {

    private record Entry(String piece, int[] ids) {
    }

    private final Entry[] slots;
    /** The hash of each slot's piece, so that most misses are seen without touching the entry. */
    private final int[] hashes;
    private final int mask;

    /** @param slotsLog2 log2 of the number of slots */
    PieceCache(int slotsLog2) {
        slots = new Entry[1 << slotsLog2];
        hashes = new int[slots.length];
        mask = slots.length - 1;
    }

    static int hash(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h ^ (h >>> 15);
    }

    /** The cached ids of {@code s[from, to)} with the given {@link #hash}, or null. Callers must not modify them. */
    int[] get(String s, int from, int to, int hash) {
        int slot = hash & mask;
        if (hashes[slot] != hash) {
            return null;
        }
        // The hash may belong to another entry written concurrently: the comparison below is what decides.
        Entry entry = slots[slot];
        if (entry != null && entry.piece().length() == to - from && s.regionMatches(from, entry.piece(), 0, to - from)) {
            return entry.ids();
        }
        return null;
    }

    void put(String piece, int hash, int[] ids) {
        int slot = hash & mask;
        slots[slot] = new Entry(piece, ids);
        hashes[slot] = hash;
    }
}
