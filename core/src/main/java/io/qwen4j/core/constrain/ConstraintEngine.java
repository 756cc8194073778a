package io.qwen4j.core.constrain;

import io.qwen4j.core.constrain.Automaton.State;

/**
 * Runs one grammar over one vocabulary: advances parser states by tokens and computes, per state, the set of
 * allowed token ids. A mask walks the token trie depth-first from the state, following the automaton byte by byte
 * and dropping a subtree as soon as the grammar rejects its prefix; where the state loops on every byte of a
 * subtree (inside a JSON string most tokens are just string characters), the whole subtree is allowed without
 * walking it. Masks are cached in their states, so a state seen again costs nothing. Shared by all constraints made
 * from the same grammar and vocabulary; its methods are synchronized.
 */
final class ConstraintEngine {

    /** Masks kept at most (each is one bit per vocabulary id, about 19 KB for Qwen). */
    private static final int MAX_CACHED_MASKS = 1024;

    /** UTF-8 sequences of one well-formed non-ASCII character, as inclusive byte ranges per position. */
    private static final int[][][] UTF8_CHARS = {
            {{0xC2, 0xDF}, {0x80, 0xBF}},
            {{0xE0, 0xE0}, {0xA0, 0xBF}, {0x80, 0xBF}},
            {{0xE1, 0xEC}, {0x80, 0xBF}, {0x80, 0xBF}},
            {{0xED, 0xED}, {0x80, 0x9F}, {0x80, 0xBF}},
            {{0xEE, 0xEF}, {0x80, 0xBF}, {0x80, 0xBF}},
            {{0xF0, 0xF0}, {0x90, 0xBF}, {0x80, 0xBF}, {0x80, 0xBF}},
            {{0xF1, 0xF3}, {0x80, 0xBF}, {0x80, 0xBF}, {0x80, 0xBF}},
            {{0xF4, 0xF4}, {0x80, 0x8F}, {0x80, 0xBF}, {0x80, 0xBF}},
    };

    private final Automaton automaton;
    private final TokenVocabulary vocabulary;
    private final TokenTrie trie;
    private final int words;
    private int cachedMasks;
    private int[] nodeStack = new int[64];
    private State[] stateStack = new State[64];

    ConstraintEngine(CompiledGrammar grammar, TokenVocabulary vocabulary) {
        this.automaton = new Automaton(grammar);
        this.vocabulary = vocabulary;
        this.trie = vocabulary.trie;
        this.words = (vocabulary.modelVocabularySize + 63) >>> 6;
    }

    synchronized State start() {
        return automaton.start();
    }

    /** The state after the BPE token {@code id}, or null if the grammar rejects its bytes. */
    synchronized State advance(State from, int id) {
        byte[] bytes = vocabulary.bytes(id);
        if (bytes == null) {
            return null;
        }
        State s = from;
        for (int i = 0; i < bytes.length && s != null; i++) {
            s = automaton.next(s, bytes[i] & 0xFF);
        }
        return s;
    }

    /** The allowed ids in state {@code s}, one bit per id; never empty. Callers must not modify it. */
    synchronized long[] allowed(State s) {
        if (s.mask != null) {
            return s.mask;
        }
        long[] bits = new long[words];
        if (!s.isFinal()) {
            walk(s, bits);
        }
        for (int id : vocabulary.endOfGeneration) {
            if (s.complete) {
                bits[id >>> 6] |= 1L << id;
            } else {
                bits[id >>> 6] &= ~(1L << id);
            }
        }
        boolean any = false;
        for (long w : bits) {
            any |= w != 0;
        }
        if (!any) {
            throw new IllegalStateException("no token of the vocabulary can continue the grammar here");
        }
        if (cachedMasks < MAX_CACHED_MASKS) {
            s.mask = bits;
            cachedMasks++;
        }
        return bits;
    }

    private void walk(State root, long[] bits) {
        int top = 0;
        nodeStack[0] = 0;
        stateStack[0] = root;
        byte[] nodeByte = trie.nodeByte;
        int[] subtreeEnd = trie.subtreeEnd;
        int[] firstToken = trie.firstToken;
        while (top >= 0) {
            int node = nodeStack[top];
            State state = stateStack[top];
            top--;
            boolean boundary = (trie.flags[node] & TokenTrie.FLAG_BOUNDARY) != 0;
            for (int child = node + 1; child < subtreeEnd[node]; child = subtreeEnd[child]) {
                if (boundary && loopsOverSubtree(state, child)) {
                    allow(bits, firstToken[child], firstToken[subtreeEnd[child]]);
                    continue;
                }
                State next = automaton.next(state, nodeByte[child] & 0xFF);
                if (next == null) {
                    continue;
                }
                allow(bits, firstToken[child], firstToken[child + 1]);
                if (child + 1 < subtreeEnd[child] && !next.isFinal()) {
                    if (++top == nodeStack.length) {
                        nodeStack = java.util.Arrays.copyOf(nodeStack, top * 2);
                        stateStack = java.util.Arrays.copyOf(stateStack, top * 2);
                    }
                    nodeStack[top] = child;
                    stateStack[top] = next;
                }
            }
        }
    }

    private void allow(long[] bits, int from, int to) {
        int[] order = trie.order;
        int limit = vocabulary.modelVocabularySize;
        for (int p = from; p < to; p++) {
            int id = order[p];
            if (id < limit) {
                bits[id >>> 6] |= 1L << id;
            }
        }
    }

    /**
     * Whether every token below {@code child} keeps the parser in {@code state}: all its ASCII bytes loop there,
     * and if it has other bytes, they form whole (or cut-off final) characters and every character loops.
     */
    private boolean loopsOverSubtree(State state, int child) {
        if (state.utf8Loop == 0) {
            computeLoops(state);
        }
        if ((trie.asciiLo[child] & ~state.loopLo) != 0 || (trie.asciiHi[child] & ~state.loopHi) != 0) {
            return false;
        }
        byte f = trie.flags[child];
        return (f & TokenTrie.FLAG_NON_ASCII) == 0 || ((f & TokenTrie.FLAG_INVALID_BELOW) == 0 && state.utf8Loop == 1);
    }

    private void computeLoops(State state) {
        long lo = 0;
        long hi = 0;
        for (int b = 0; b < 128; b++) {
            if (automaton.next(state, b) == state) {
                if (b < 64) {
                    lo |= 1L << b;
                } else {
                    hi |= 1L << b;
                }
            }
        }
        state.loopLo = lo;
        state.loopHi = hi;
        boolean all = true;
        for (int[][] row : UTF8_CHARS) {
            all = all && loopsOverCharacters(state, state, row, 0);
        }
        state.utf8Loop = (byte) (all ? 1 : 2);
    }

    /** Whether every byte sequence of {@code row} from position {@code i}, starting in {@code at}, ends in home. */
    private boolean loopsOverCharacters(State home, State at, int[][] row, int i) {
        if (i == row.length) {
            return at == home;
        }
        int[] classOf = automaton.grammar.classOf;
        boolean[] seen = new boolean[automaton.grammar.classCount];
        for (int b = row[i][0]; b <= row[i][1]; b++) {
            if (seen[classOf[b]]) {
                continue;
            }
            seen[classOf[b]] = true;
            State next = automaton.next(at, b);
            if (next == null || !loopsOverCharacters(home, next, row, i + 1)) {
                return false;
            }
        }
        return true;
    }
}
