package io.qwen4j.core.constrain;

/**
 * A grammar compiled to bytes, ready for the pushdown parser. The rules' alternatives live in one flat array
 * {@link #code}: each element is a rule reference (the rule's id, >= 0), a terminal ({@code -2 - t}, matching
 * one byte out of terminal {@code t}'s set) or {@link #END}, which closes an alternative. Bytes that no terminal
 * tells apart share a byte class, so the parser's transitions are computed once per class.
 */
final class CompiledGrammar {

    static final int END = -1;

    final int[] code;
    /** Per rule, the positions in {@link #code} where its alternatives start. */
    final int[][] alternatives;
    final String[] ruleNames;
    final int root;
    /** Four 64-bit words per terminal: the bytes it matches. */
    final long[] terminalBits;
    /** The class of every byte, 0..{@link #classCount}-1. */
    final int[] classOf;
    final int classCount;
    /** For every class, one byte in it. */
    final int[] classByte;

    CompiledGrammar(int[] code, int[][] alternatives, String[] ruleNames, int root, long[] terminalBits) {
        this.code = code;
        this.alternatives = alternatives;
        this.ruleNames = ruleNames;
        this.root = root;
        this.terminalBits = terminalBits;
        int terminals = terminalBits.length / 4;
        classOf = new int[256];
        java.util.Map<java.util.BitSet, Integer> classes = new java.util.HashMap<>();
        int[] firstByte = new int[256];
        for (int b = 0; b < 256; b++) {
            java.util.BitSet signature = new java.util.BitSet(terminals);
            for (int t = 0; t < terminals; t++) {
                if (matches(t, b)) {
                    signature.set(t);
                }
            }
            Integer cls = classes.get(signature);
            if (cls == null) {
                cls = classes.size();
                classes.put(signature, cls);
                firstByte[cls] = b;
            }
            classOf[b] = cls;
        }
        classCount = classes.size();
        classByte = java.util.Arrays.copyOf(firstByte, classCount);
    }

    boolean matches(int terminal, int unsignedByte) {
        return (terminalBits[terminal * 4 + (unsignedByte >>> 6)] >>> unsignedByte & 1L) != 0;
    }

    static boolean isTerminal(int element) {
        return element <= -2;
    }

    static int terminalOf(int element) {
        return -2 - element;
    }
}
