package io.qwen4j.core.constrain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pushdown parser of a compiled grammar, run as a lazily built DFA over bytes. A parser configuration is a set
 * of stacks (the grammar may be ambiguous); every stack's top points at a terminal. Stacks are hash-consed frames,
 * configurations are interned as {@link State}s, and each state remembers its transitions per byte class, so
 * walking the same bytes twice costs one array read per byte.
 *
 * <p>Not thread-safe; {@link ConstraintEngine} guards it.
 */
final class Automaton {

    /** States beyond this many are forgotten (live states keep working; they are just not shared any more). */
    private static final int MAX_STATES = 200_000;

    final CompiledGrammar grammar;
    private final int[] code;
    private Map<Long, Frame> frames = new HashMap<>();
    private Map<StateKey, State> states = new HashMap<>();
    private int nextFrameId;
    private int nextStateId;
    private State start;

    Automaton(CompiledGrammar grammar) {
        this.grammar = grammar;
        this.code = grammar.code;
        this.start = buildStart();
    }

    State start() {
        return start;
    }

    /** The state after {@code unsignedByte}, or null if the grammar rejects it. */
    State next(State from, int unsignedByte) {
        int cls = grammar.classOf[unsignedByte];
        State cached = from.next[cls];
        if (cached != null) {
            return cached == State.DEAD ? null : cached;
        }
        State to = computeNext(from, grammar.classByte[cls]);
        from.next[cls] = to == null ? State.DEAD : to;
        return to;
    }

    private State computeNext(State from, int b) {
        Expansion out = new Expansion();
        for (Frame f : from.stacks) {
            if (grammar.matches(CompiledGrammar.terminalOf(code[f.pos]), b)) {
                expand(advance(f), out);
            }
        }
        return out.isEmpty() ? null : intern(out);
    }

    private State buildStart() {
        Expansion out = new Expansion();
        for (int alt : grammar.alternatives[grammar.root]) {
            expand(frame(alt, null), out);
        }
        if (out.isEmpty()) {
            throw new GrammarException("the grammar matches nothing");
        }
        return intern(out);
    }

    /** The frame that continues after the element {@code f} points at. */
    private Frame advance(Frame f) {
        return frame(f.pos + 1, f.parent);
    }

    /** A frame at {@code pos}; an alternative's end is skipped at once, so no frame points at an END. */
    private Frame frame(int pos, Frame parent) {
        if (code[pos] == CompiledGrammar.END) {
            return parent;
        }
        long key = ((long) pos << 32) | (parent == null ? 0xFFFFFFFFL : parent.id & 0xFFFFFFFFL);
        Frame f = frames.get(key);
        if (f == null) {
            f = new Frame(pos, parent, nextFrameId++);
            frames.put(key, f);
        }
        return f;
    }

    /** Adds the stacks {@code top} expands to (tops at terminals), or notes completion for the empty stack. */
    private void expand(Frame top, Expansion out) {
        if (top == null) {
            out.complete = true;
            return;
        }
        if (!out.seen.add(top)) {
            return;
        }
        int e = code[top.pos];
        if (CompiledGrammar.isTerminal(e)) {
            out.stacks.add(top);
            return;
        }
        Frame continuation = advance(top);
        for (int alt : grammar.alternatives[e]) {
            expand(frame(alt, continuation), out);
        }
    }

    private State intern(Expansion out) {
        Frame[] stacks = out.stacks.toArray(Frame[]::new);
        Arrays.sort(stacks, (a, b) -> Integer.compare(a.id, b.id));
        int[] ids = new int[stacks.length];
        for (int i = 0; i < stacks.length; i++) {
            ids[i] = stacks[i].id;
        }
        StateKey key = new StateKey(ids, out.complete);
        State s = states.get(key);
        if (s == null) {
            if (states.size() >= MAX_STATES) {
                states = new HashMap<>();
                frames = new HashMap<>();
            }
            s = new State(nextStateId++, stacks, out.complete, grammar.classCount);
            states.put(key, s);
        }
        return s;
    }

    /** A stack of rule positions, linked from top to bottom. */
    static final class Frame {
        final int pos;
        final Frame parent;
        final int id;

        Frame(int pos, Frame parent, int id) {
            this.pos = pos;
            this.parent = parent;
            this.id = id;
        }
    }

    /** A parser configuration: its stacks, whether the input so far is a full sentence, and its transitions. */
    static final class State {
        static final State DEAD = new State(-1, new Frame[0], false, 0);

        final int id;
        final Frame[] stacks;
        final boolean complete;
        final State[] next;
        /** Lazily computed per-state facts for the mask; see {@link ConstraintEngine}. */
        long loopLo;
        long loopHi;
        byte utf8Loop;
        long[] mask;

        State(int id, Frame[] stacks, boolean complete, int classes) {
            this.id = id;
            this.stacks = stacks;
            this.complete = complete;
            this.next = new State[classes];
        }

        /** Whether no byte can follow (only the end of the input may). */
        boolean isFinal() {
            return stacks.length == 0;
        }
    }

    private record StateKey(int[] stacks, boolean complete) {
        @Override
        public boolean equals(Object o) {
            return o instanceof StateKey k && k.complete == complete && Arrays.equals(k.stacks, stacks);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(stacks) * 2 + (complete ? 1 : 0);
        }
    }

    private static final class Expansion {
        final List<Frame> stacks = new ArrayList<>();
        final Set<Frame> seen = new HashSet<>();
        boolean complete;

        boolean isEmpty() {
            return stacks.isEmpty() && !complete;
        }
    }
}
