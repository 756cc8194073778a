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
    private int[] charStack = new int[64];
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
        long[] bits = compute(s);
        if (cachedMasks < MAX_CACHED_MASKS) {
            s.mask = bits;
            cachedMasks++;
        }
        return bits;
    }

    /** The allowed ids in state {@code s}, computed afresh (the cache is neither read nor filled). */
    synchronized long[] compute(State s) {
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
        return bits;
    }

    private void walk(State root, long[] bits) {
        int top = 0;
        nodeStack[0] = 0;
        charStack[0] = 0;
        stateStack[0] = root;
        byte[] nodeByte = trie.nodeByte;
        int[] subtreeEnd = trie.subtreeEnd;
        int[] firstToken = trie.firstToken;
        while (top >= 0) {
            int node = nodeStack[top];
            int chars = charStack[top];
            State state = stateStack[top];
            top--;
            boolean boundary = (trie.flags[node] & TokenTrie.FLAG_BOUNDARY) != 0;
            for (int child = node + 1; child < subtreeEnd[node]; child = subtreeEnd[child]) {
                if (boundary && allowByCharacters(state, child, chars, bits)) {
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
                        charStack = java.util.Arrays.copyOf(charStack, top * 2);
                        stateStack = java.util.Arrays.copyOf(stateStack, top * 2);
                    }
                    nodeStack[top] = child;
                    charStack[top] = chars + ((nodeByte[child] & 0xC0) == 0x80 ? 0 : 1);
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
     * Allows the tokens below {@code child} without walking its nodes where it can, and says whether it could.
     * From a state on, follow its "successor", the state most ASCII bytes lead to, once per character: if each
     * ASCII byte of the subtree leads to the successor in each state along the way, and so does each non-ASCII
     * character (the subtree being well-formed UTF-8), then after c characters every token of the subtree is in
     * the c-th state of that chain. If the chain is as long as the subtree's longest token, the whole subtree is
     * allowed at once; if it is shorter, each token is checked by its length, and only the tokens longer than the
     * chain are followed further, from the chain's last state. Inside an unbounded JSON string the successor is the
     * state itself; inside a string of bounded length it is the state with one more character.
     */
    private boolean allowByCharacters(State state, int child, int charsBefore, long[] bits) {
        byte f = trie.flags[child];
        boolean nonAscii = (f & TokenTrie.FLAG_NON_ASCII) != 0;
        if (nonAscii && (f & TokenTrie.FLAG_INVALID_BELOW) != 0) {
            return false;
        }
        long lo = trie.asciiLo[child];
        long hi = trie.asciiHi[child];
        int need = trie.maxChars[child];
        State s = state;
        int length = 0;
        while (length < need) {
            if (!s.successorKnown) {
                computeSuccessor(s);
            }
            if (s.successor == null || (lo & ~s.plainLo) != 0 || (hi & ~s.plainHi) != 0) {
                break;
            }
            if (nonAscii && !nonAsciiLeadsToSuccessor(s)) {
                break;
            }
            if (s.successor == s) {
                length = Integer.MAX_VALUE; // a loop: any number of characters
                break;
            }
            s = s.successor;
            length++;
        }
        int from = trie.firstToken[child];
        int to = trie.firstToken[trie.subtreeEnd[child]];
        if (length >= need && need < 127) {
            allow(bits, from, to);
            return true;
        }
        if (length == 0) {
            return false;
        }
        // s is the state after `length` characters of any token here (after the charsBefore of the prefix).
        byte[] chars = trie.tokenChars;
        int[] order = trie.order;
        int limit = vocabulary.modelVocabularySize;
        for (int p = from; p < to; p++) {
            int id = order[p];
            if (id < limit && (chars[p] < 127 && chars[p] - charsBefore <= length
                    || followsFrom(s, trie.tokenBytes[id], charsBefore + length))) {
                bits[id >>> 6] |= 1L << id;
            }
        }
        return true;
    }

    /** Whether the bytes of a token after its first {@code skipChars} characters are accepted from {@code s}. */
    private boolean followsFrom(State s, byte[] bytes, int skipChars) {
        int i = 0;
        for (int c = 0; i < bytes.length; i++) {
            if ((bytes[i] & 0xC0) != 0x80 && c++ == skipChars) {
                break;
            }
        }
        for (; i < bytes.length && s != null; i++) {
            s = automaton.next(s, bytes[i] & 0xFF);
        }
        return s != null;
    }

    private boolean nonAsciiLeadsToSuccessor(State s) {
        if (s.utf8ToSuccessor == 0) {
            boolean all = true;
            for (int[][] row : UTF8_CHARS) {
                all = all && charactersLead(s.successor, s, row, 0);
            }
            s.utf8ToSuccessor = (byte) (all ? 1 : 2);
        }
        return s.utf8ToSuccessor == 1;
    }

    private void computeSuccessor(State s) {
        CompiledGrammar g = automaton.grammar;
        State[] target = new State[g.classCount];
        int[] votes = new int[g.classCount];
        State best = null;
        int bestVotes = 0;
        for (int b = 0; b < 128; b++) {
            State next = automaton.next(s, b);
            if (next == null) {
                continue;
            }
            int slot = 0;
            while (target[slot] != null && target[slot] != next) {
                slot++;
            }
            target[slot] = next;
            if (++votes[slot] > bestVotes) {
                bestVotes = votes[slot];
                best = next;
            }
        }
        long lo = 0;
        long hi = 0;
        if (best != null) {
            for (int b = 0; b < 128; b++) {
                if (automaton.next(s, b) == best) {
                    if (b < 64) {
                        lo |= 1L << b;
                    } else {
                        hi |= 1L << b;
                    }
                }
            }
        }
        s.successor = best;
        s.plainLo = lo;
        s.plainHi = hi;
        s.successorKnown = true;
    }

    /** Whether every byte sequence of {@code row} from position {@code i}, starting in {@code at}, ends in home. */
    private boolean charactersLead(State home, State at, int[][] row, int i) {
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
            if (next == null || !charactersLead(home, next, row, i + 1)) {
                return false;
            }
        }
        return true;
    }
}
