package io.qwen4j.core.generate.sampling;

import java.util.Arrays;

/** Selects the k highest logits with a bounded min-heap of {@link SortKeys}: O(V log k) at worst, no allocation. */
final class TopK {

    private TopK() {
    }

    /**
     * Leaves the keys of the {@code k} highest of {@code logits[0..n)} in {@code heap[0..k)}, sorted ascending (best
     * last). Ties keep the lower id. Requires {@code 0 < k <= n} and no NaN.
     */
    static void select(float[] logits, int n, int k, long[] heap) {
        for (int i = 0; i < k; i++) {
            heap[i] = SortKeys.of(logits[i], i);
        }
        for (int i = k / 2 - 1; i >= 0; i--) {
            siftDown(heap, k, i);
        }
        float worst = SortKeys.logit(heap[0]);
        // Strictly greater: an equal logit arrives with a higher id and so ranks below the root. Few entries pass,
        // so a SIMD scan finds them and only those touch the heap.
        for (int i = VectorMath.firstGreater(logits, k, n, worst); i < n;
                i = VectorMath.firstGreater(logits, i + 1, n, worst)) {
            heap[0] = SortKeys.of(logits[i], i);
            siftDown(heap, k, 0);
            worst = SortKeys.logit(heap[0]);
        }
        Arrays.sort(heap, 0, k);
    }

    private static void siftDown(long[] heap, int size, int index) {
        long moving = heap[index];
        while (true) {
            int child = 2 * index + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= moving) {
                break;
            }
            heap[index] = heap[child];
            index = child;
        }
        heap[index] = moving;
    }
}
