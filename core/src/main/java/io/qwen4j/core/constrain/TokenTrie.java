package io.qwen4j.core.constrain;

import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.Arrays;

/**
 * The byte strings of a tokenizer's BPE tokens in a trie, laid out in preorder so that a subtree is a contiguous
 * node range and its tokens a contiguous range of {@link #order}. Node 0 is the root (the empty prefix). For each
 * node the trie also keeps which ASCII bytes occur in its subtree, whether non-ASCII bytes do, whether every
 * token below is well-formed UTF-8 from the node on (allowing a character cut off at the token's end), and
 * whether the node's prefix ends on a character boundary: what the mask needs to accept a whole subtree at once.
 */
final class TokenTrie {

    static final byte FLAG_NON_ASCII = 1;
    static final byte FLAG_INVALID_BELOW = 2;
    static final byte FLAG_BOUNDARY = 4;

    /** Token ids sorted by their bytes. */
    final int[] order;
    final int nodeCount;
    final byte[] nodeByte;
    /** One past the last node of each node's subtree. */
    final int[] subtreeEnd;
    /** Index in {@link #order} of the first token in each node's subtree; one extra entry holds order.length. */
    final int[] firstToken;
    final long[] asciiLo;
    final long[] asciiHi;
    final byte[] flags;
    /** Each token's bytes by id (null for ids that are not BPE tokens). */
    final byte[][] tokenBytes;

    TokenTrie(Tokenizer tokenizer) {
        int size = tokenizer.vocabularySize();
        tokenBytes = new byte[size][];
        int count = 0;
        for (int id = 0; id < size; id++) {
            if (tokenizer.isKnown(id) && !tokenizer.isAdded(id)) {
                byte[] b = tokenizer.tokenBytes(id);
                if (b.length > 0) {
                    tokenBytes[id] = b;
                    count++;
                }
            }
        }
        Integer[] sorted = new Integer[count];
        for (int id = 0, n = 0; id < size; id++) {
            if (tokenBytes[id] != null) {
                sorted[n++] = id;
            }
        }
        Arrays.sort(sorted, (a, b) -> Arrays.compareUnsigned(tokenBytes[a], tokenBytes[b]));
        order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = sorted[i];
        }

        // Nodes: the root plus one per distinct non-empty prefix; in sorted order each new prefix appears once.
        int nodes = 1;
        for (int i = 0; i < count; i++) {
            nodes += tokenBytes[order[i]].length - (i == 0 ? 0 : commonPrefix(order[i - 1], order[i]));
        }
        nodeCount = nodes;
        nodeByte = new byte[nodes];
        subtreeEnd = new int[nodes];
        firstToken = new int[nodes + 1];
        asciiLo = new long[nodes];
        asciiHi = new long[nodes];
        flags = new byte[nodes];
        int[] path = new int[1 + maxLength()];
        int[] pending = new int[path.length];
        int depth = 0;
        int next = 1;
        path[0] = 0;
        flags[0] = FLAG_BOUNDARY;
        for (int i = 0; i < count; i++) {
            byte[] bytes = tokenBytes[order[i]];
            int keep = i == 0 ? 0 : commonPrefix(order[i - 1], order[i]);
            while (depth > keep) {
                close(path[depth--], next);
            }
            for (int d = keep; d < bytes.length; d++) {
                int node = next++;
                nodeByte[node] = bytes[d];
                firstToken[node] = i;
                int p = utf8Step(pending[depth], bytes[d] & 0xFF);
                pending[depth + 1] = p;
                flags[node] = (byte) ((p == 0 ? FLAG_BOUNDARY : 0) | (p < 0 ? FLAG_INVALID_BELOW : 0));
                path[++depth] = node;
            }
        }
        while (depth > 0) {
            close(path[depth--], next);
        }
        close(0, next);
        firstToken[nodes] = count;
        // Subtree summaries, children before parents: in preorder, later nodes are never ancestors.
        for (int node = nodes - 1; node >= 1; node--) {
            int b = nodeByte[node] & 0xFF;
            if (b < 64) {
                asciiLo[node] |= 1L << b;
            } else if (b < 128) {
                asciiHi[node] |= 1L << b;
            } else {
                flags[node] |= FLAG_NON_ASCII;
            }
            for (int child = node + 1; child < subtreeEnd[node]; child = subtreeEnd[child]) {
                asciiLo[node] |= asciiLo[child];
                asciiHi[node] |= asciiHi[child];
                flags[node] |= (byte) (flags[child] & (FLAG_NON_ASCII | FLAG_INVALID_BELOW));
            }
        }
    }

    private void close(int node, int end) {
        subtreeEnd[node] = end;
    }

    private int commonPrefix(int a, int b) {
        byte[] x = tokenBytes[a];
        byte[] y = tokenBytes[b];
        int n = Math.min(x.length, y.length);
        int i = 0;
        while (i < n && x[i] == y[i]) {
            i++;
        }
        return i;
    }

    private int maxLength() {
        int max = 0;
        for (byte[] b : tokenBytes) {
            if (b != null) {
                max = Math.max(max, b.length);
            }
        }
        return max;
    }

    /**
     * One step of strict UTF-8 validation (no overlong forms, no surrogates, nothing above U+10FFFF). States: 0 at a
     * character boundary; 1 to 3 continuation bytes due; 4 to 7 after the lead bytes E0, ED, F0, F4, whose next
     * byte has a narrower range; -1 once invalid.
     */
    static int utf8Step(int state, int b) {
        boolean continuation = (b & 0xC0) == 0x80;
        return switch (state) {
            case 0 -> b < 0x80 ? 0 : b >= 0xC2 && b <= 0xDF ? 1 : b == 0xE0 ? 4 : b == 0xED ? 5
                    : b >= 0xE1 && b <= 0xEF ? 2 : b == 0xF0 ? 6 : b >= 0xF1 && b <= 0xF3 ? 3 : b == 0xF4 ? 7 : -1;
            case 1, 2, 3 -> continuation ? state - 1 : -1;
            case 4 -> b >= 0xA0 && b <= 0xBF ? 1 : -1;
            case 5 -> b >= 0x80 && b <= 0x9F ? 1 : -1;
            case 6 -> b >= 0x90 && b <= 0xBF ? 2 : -1;
            case 7 -> b >= 0x80 && b <= 0x8F ? 2 : -1;
            default -> -1;
        };
    }

    /** The number of tokens whose bytes end exactly at {@code node}. */
    int tokensEndingAt(int node) {
        return firstToken[node + 1] - firstToken[node];
    }
}
