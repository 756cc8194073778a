package io.qwen4j.core.tokenizer;

/**
 * Byte-level BPE over one pre-tokenized piece: start from one symbol per byte, then repeatedly merge the
 * adjacent pair with the lowest merge rank, the leftmost one when ranks tie (as Hugging Face's BPE does). Short
 * pieces use a scan over an array, long ones a heap over a linked list; both make the same merges.
 */
final class BytePairEncoder {

    /** Up to this many bytes the quadratic scan beats the heap. */
    static final int LINEAR_LIMIT = 64;

    private final int[] byteIds;
    private final MergeTable merges;

    /**
     * @param byteIds the id of the one-byte token of each byte value
     */
    BytePairEncoder(int[] byteIds, MergeTable merges) {
        this.byteIds = byteIds.clone();
        this.merges = merges;
    }

    /** Per-thread working arrays, grown on demand. */
    static final class Scratch {
        int[] ids = new int[256];
        int[] aux = new int[256];
        int[] next = new int[0];
        long[] heap = new long[0];

        void ensure(int n) {
            if (ids.length < n) {
                ids = new int[n * 2];
                aux = new int[n * 2];
            }
        }
    }

    /** Appends the ids of {@code bytes[0, length)} to {@code out}. */
    void encode(byte[] bytes, int length, IntList out, Scratch scratch) {
        if (length == 0) {
            return;
        }
        scratch.ensure(length);
        int[] ids = scratch.ids;
        for (int i = 0; i < length; i++) {
            ids[i] = byteIds[bytes[i] & 0xFF];
        }
        int n = length <= LINEAR_LIMIT ? mergeByScan(ids, length, scratch.aux) : mergeByHeap(ids, length, scratch);
        out.addAll(ids, n);
    }

    /** The ids of one piece by the chosen algorithm; lets tests check that both make the same merges. */
    int[] encodeWith(byte[] bytes, boolean heap) {
        Scratch scratch = new Scratch();
        scratch.ensure(bytes.length);
        int[] ids = scratch.ids;
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = byteIds[bytes[i] & 0xFF];
        }
        int n = heap ? mergeByHeap(ids, bytes.length, scratch) : mergeByScan(ids, bytes.length, scratch.aux);
        return java.util.Arrays.copyOf(ids, n);
    }

    /**
     * Merges {@code ids[0, n)} in place by scanning for the best pair each round.
     *
     * @param ranks scratch of at least n ints: ranks[i] is the rank of the pair (ids[i], ids[i+1])
     * @return the number of symbols left
     */
    int mergeByScan(int[] ids, int n, int[] ranks) {
        for (int i = 0; i < n - 1; i++) {
            ranks[i] = merges.rank(ids[i], ids[i + 1]);
        }
        while (n > 1) {
            int best = MergeTable.NO_MERGE;
            int at = -1;
            for (int i = 0; i < n - 1; i++) {
                if (ranks[i] < best) {
                    best = ranks[i];
                    at = i;
                }
            }
            if (at < 0) {
                break;
            }
            ids[at] = merges.result(best);
            int tail = n - at - 2; // symbols after the absorbed one
            System.arraycopy(ids, at + 2, ids, at + 1, tail);
            if (tail > 1) {
                System.arraycopy(ranks, at + 2, ranks, at + 1, tail - 1);
            }
            n--;
            if (at > 0) {
                ranks[at - 1] = merges.rank(ids[at - 1], ids[at]);
            }
            if (at < n - 1) {
                ranks[at] = merges.rank(ids[at], ids[at + 1]);
            }
        }
        return n;
    }

    /**
     * Merges {@code ids[0, n)} with a min-heap of candidate pairs keyed by (rank, position); entries made stale by
     * an earlier merge are recognised on removal and dropped. Compacts the result into ids.
     *
     * @return the number of symbols left
     */
    int mergeByHeap(int[] ids, int n, Scratch scratch) {
        if (n == 0) {
            return 0;
        }
        int[] prev = scratch.aux;
        if (scratch.next.length < n) {
            scratch.next = new int[n * 2];
        }
        if (scratch.heap.length < n) {
            scratch.heap = new long[n * 2];
        }
        int[] next = scratch.next;
        long[] heap = scratch.heap;
        int size = 0;
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        for (int i = 0; i < n - 1; i++) {
            int rank = merges.rank(ids[i], ids[i + 1]);
            if (rank != MergeTable.NO_MERGE) {
                heap = push(scratch, heap, size++, entry(rank, i));
            }
        }
        while (size > 0) {
            long top = heap[0];
            heap[0] = heap[--size];
            siftDown(heap, size);
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            int right = next[pos];
            if (ids[pos] < 0 || right < 0 || merges.rank(ids[pos], ids[right]) != rank) {
                continue; // stale: one of the two symbols has changed since this pair was queued
            }
            ids[pos] = merges.result(rank);
            ids[right] = -1;
            int after = next[right];
            next[pos] = after;
            if (after >= 0) {
                prev[after] = pos;
                int r = merges.rank(ids[pos], ids[after]);
                if (r != MergeTable.NO_MERGE) {
                    heap = push(scratch, heap, size++, entry(r, pos));
                }
            }
            int before = prev[pos];
            if (before >= 0) {
                int r = merges.rank(ids[before], ids[pos]);
                if (r != MergeTable.NO_MERGE) {
                    heap = push(scratch, heap, size++, entry(r, before));
                }
            }
        }
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            ids[count++] = ids[i];
        }
        return count;
    }

    private static long entry(int rank, int pos) {
        return ((long) rank << 32) | pos;
    }

    private static long[] push(Scratch scratch, long[] heap, int size, long value) {
        if (size == heap.length) {
            heap = java.util.Arrays.copyOf(heap, size * 2 + 8);
            scratch.heap = heap;
        }
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= value) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = value;
        return heap;
    }

    private static void siftDown(long[] heap, int size) {
        if (size == 0) {
            return;
        }
        long value = heap[0];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= value) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = value;
    }
}
