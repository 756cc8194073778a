package io.qwen4j.core.constrain;

import io.qwen4j.core.constrain.GrammarAst.Alt;
import io.qwen4j.core.constrain.GrammarAst.Chars;
import io.qwen4j.core.constrain.GrammarAst.Expr;
import io.qwen4j.core.constrain.GrammarAst.Ref;
import io.qwen4j.core.constrain.GrammarAst.Repeat;
import io.qwen4j.core.constrain.GrammarAst.Rule;
import io.qwen4j.core.constrain.GrammarAst.Seq;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles parsed rules to a {@link CompiledGrammar}: code points become UTF-8 byte sequences, groups and
 * repetitions become helper rules ({@code x*} is {@code r ::= x r | ε}; {@code x{2,4}} is {@code x x r2} with
 * {@code r2 ::= x r1 | ε}), and left recursion, which a top-down parser cannot follow, is rejected.
 */
final class GrammarCompiler {

    private final Map<String, Rule> source;
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final List<List<int[]>> rules = new ArrayList<>();
    private final Map<String, Integer> terminals = new HashMap<>();
    private final List<long[]> terminalSets = new ArrayList<>();
    private final Map<String, Integer> helperRules = new HashMap<>();

    private GrammarCompiler(Map<String, Rule> source) {
        this.source = source;
    }

    static CompiledGrammar compile(Map<String, Rule> rules) {
        return new GrammarCompiler(rules).run();
    }

    private CompiledGrammar run() {
        if (!source.containsKey("root")) {
            throw new GrammarException("the grammar has no \"root\" rule");
        }
        for (String name : source.keySet()) {
            newRule(name);
        }
        for (Rule rule : source.values()) {
            List<int[]> alts = rules.get(ids.get(rule.name()));
            if (rule.body() instanceof Alt alt) {
                for (Expr option : alt.options()) {
                    alts.add(elements(option, rule.name()));
                }
            } else {
                alts.add(elements(rule.body(), rule.name()));
            }
        }
        checkLeftRecursion();
        return link();
    }

    private int newRule(String name) {
        int id = names.size();
        names.add(name);
        rules.add(new ArrayList<>());
        ids.put(name, id);
        return id;
    }

    private int helper(String owner, String kind) {
        String base = owner + "-" + kind;
        String name = base;
        for (int n = 2; ids.containsKey(name); n++) {
            name = base + "-" + n;
        }
        return newRule(name);
    }

    private int[] elements(Expr expr, String owner) {
        IntBuffer out = new IntBuffer();
        emit(expr, owner, out);
        return out.toArray();
    }

    private void emit(Expr expr, String owner, IntBuffer out) {
        switch (expr) {
            case Seq seq -> {
                for (Expr item : seq.items()) {
                    emit(item, owner, out);
                }
            }
            case Alt alt -> {
                int r = helper(owner, "alt");
                for (Expr option : alt.options()) {
                    rules.get(r).add(elements(option, owner));
                }
                out.add(r);
            }
            case Chars chars -> emitChars(chars.ranges(), owner, out);
            case Ref ref -> {
                Integer id = ids.get(ref.name());
                if (id == null || !source.containsKey(ref.name())) {
                    throw new GrammarException("undefined rule \"" + ref.name() + "\"", ref.line(), ref.column());
                }
                out.add(id);
            }
            case Repeat repeat -> emitRepeat(repeat, owner, out);
        }
    }

    private void emitRepeat(Repeat repeat, String owner, IntBuffer out) {
        int[] unitElements = elements(repeat.item(), owner);
        int unit;
        if (unitElements.length == 1) {
            unit = unitElements[0];
        } else {
            unit = helper(owner, "group");
            rules.get(unit).add(unitElements);
        }
        for (int i = 0; i < repeat.min(); i++) {
            out.add(unit);
        }
        if (repeat.max() < 0) {
            out.add(repeatRule(owner, unit, -1));
        } else if (repeat.max() > repeat.min()) {
            out.add(repeatRule(owner, unit, repeat.max() - repeat.min()));
        }
    }

    /** A rule matching up to {@code count} units ({@code -1}: any number). */
    private int repeatRule(String owner, int unit, int count) {
        String key = unit + "/" + count;
        Integer cached = helperRules.get(key);
        if (cached != null) {
            return cached;
        }
        int r;
        if (count < 0) {
            r = helper(owner, "star");
            rules.get(r).add(new int[] {unit, r});
        } else {
            r = helper(owner, "upto" + count);
            rules.get(r).add(count == 1 ? new int[] {unit} : new int[] {unit, repeatRule(owner, unit, count - 1)});
        }
        rules.get(r).add(new int[0]);
        helperRules.put(key, r);
        return r;
    }

    private void emitChars(int[] ranges, String owner, IntBuffer out) {
        if (ranges.length == 2 && ranges[0] == ranges[1]) {
            for (byte b : Utf8Ranges.encode(ranges[0])) {
                out.add(terminal(b & 0xFF, b & 0xFF));
            }
            return;
        }
        if (ranges[ranges.length - 1] < 0x80) {
            out.add(terminal(ranges));
            return;
        }
        String key = "chars" + Arrays.toString(ranges);
        Integer cached = helperRules.get(key);
        if (cached != null) {
            out.add(cached);
            return;
        }
        int r = helper(owner, "char");
        List<Integer> singleBytes = new ArrayList<>();
        List<int[]> alts = rules.get(r);
        for (int i = 0; i < ranges.length; i += 2) {
            for (int[] seq : Utf8Ranges.of(ranges[i], ranges[i + 1])) {
                if (seq.length == 2) {
                    singleBytes.add(seq[0]);
                    singleBytes.add(seq[1]);
                } else {
                    int[] alt = new int[seq.length / 2];
                    for (int j = 0; j < alt.length; j++) {
                        alt[j] = terminal(seq[2 * j], seq[2 * j + 1]);
                    }
                    alts.add(alt);
                }
            }
        }
        if (!singleBytes.isEmpty()) {
            alts.addFirst(new int[] {terminal(singleBytes.stream().mapToInt(Integer::intValue).toArray())});
        }
        helperRules.put(key, r);
        out.add(r);
    }

    private int terminal(int lo, int hi) {
        return terminal(new int[] {lo, hi});
    }

    /** The element for a terminal matching the bytes in the given inclusive ranges. */
    private int terminal(int[] byteRanges) {
        long[] bits = new long[4];
        for (int i = 0; i < byteRanges.length; i += 2) {
            for (int b = byteRanges[i]; b <= byteRanges[i + 1]; b++) {
                bits[b >>> 6] |= 1L << b;
            }
        }
        String key = Arrays.toString(bits);
        Integer t = terminals.get(key);
        if (t == null) {
            t = terminalSets.size();
            terminalSets.add(bits);
            terminals.put(key, t);
        }
        return -2 - t;
    }

    private void checkLeftRecursion() {
        int n = rules.size();
        boolean[] nullable = new boolean[n];
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int r = 0; r < n; r++) {
                if (!nullable[r]) {
                    for (int[] alt : rules.get(r)) {
                        if (allNullable(alt, alt.length, nullable)) {
                            nullable[r] = true;
                            changed = true;
                            break;
                        }
                    }
                }
            }
        }
        // A rule can reach another at its leftmost position when everything before it may match nothing.
        int[] state = new int[n];
        int[] via = new int[n];
        for (int r = 0; r < n; r++) {
            if (state[r] == 0) {
                findCycle(r, nullable, state, via);
            }
        }
    }

    private void findCycle(int r, boolean[] nullable, int[] state, int[] via) {
        state[r] = 1;
        for (int[] alt : rules.get(r)) {
            for (int e : alt) {
                if (CompiledGrammar.isTerminal(e)) {
                    break;
                }
                if (state[e] == 1) {
                    List<String> path = new ArrayList<>();
                    path.add(names.get(e));
                    for (int x = r; x != e; x = via[x]) {
                        path.add(1, names.get(x));
                    }
                    path.add(names.get(e));
                    throw new GrammarException("left recursion (" + String.join(" -> ", path)
                            + "): a rule must match something before it refers to itself");
                }
                if (state[e] == 0) {
                    via[e] = r;
                    findCycle(e, nullable, state, via);
                }
                if (!nullable[e]) {
                    break;
                }
            }
        }
        state[r] = 2;
    }

    private static boolean allNullable(int[] alt, int upTo, boolean[] nullable) {
        for (int i = 0; i < upTo; i++) {
            if (CompiledGrammar.isTerminal(alt[i]) || !nullable[alt[i]]) {
                return false;
            }
        }
        return true;
    }

    private CompiledGrammar link() {
        IntBuffer code = new IntBuffer();
        int[][] starts = new int[rules.size()][];
        for (int r = 0; r < rules.size(); r++) {
            List<int[]> alts = rules.get(r);
            starts[r] = new int[alts.size()];
            for (int a = 0; a < alts.size(); a++) {
                starts[r][a] = code.size();
                for (int e : alts.get(a)) {
                    code.add(e);
                }
                code.add(CompiledGrammar.END);
            }
        }
        long[] bits = new long[terminalSets.size() * 4];
        for (int t = 0; t < terminalSets.size(); t++) {
            System.arraycopy(terminalSets.get(t), 0, bits, 4 * t, 4);
        }
        return new CompiledGrammar(code.toArray(), starts, names.toArray(String[]::new), ids.get("root"), bits);
    }

    /** A growable int array. */
    static final class IntBuffer {
        private int[] data = new int[8];
        private int size;

        void add(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
