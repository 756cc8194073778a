package io.qwen4j.core.constrain;

import java.util.List;

/** The parsed form of a GBNF grammar, before it is compiled to bytes. Code points are Unicode scalar values. */
final class GrammarAst {

    private GrammarAst() {
    }

    /** A grammar expression. */
    sealed interface Expr permits Alt, Seq, Chars, Ref, Repeat {
    }

    /** One of several alternatives. */
    record Alt(List<Expr> options) implements Expr {
    }

    /** Expressions one after the other; the empty sequence matches the empty string. */
    record Seq(List<Expr> items) implements Expr {
    }

    /**
     * One code point out of a set, given as sorted, disjoint, non-adjacent inclusive ranges {@code [lo0, hi0, lo1,
     * hi1, ...]}.
     */
    record Chars(int[] ranges) implements Expr {
    }

    /** A reference to a rule, with where it was written for error messages. */
    record Ref(String name, int line, int column) implements Expr {
    }

    /** {@code min} to {@code max} repetitions ({@code max} = -1 for no limit). */
    record Repeat(Expr item, int min, int max) implements Expr {
    }

    /** A named rule, with where it was defined. */
    record Rule(String name, Expr body, int line, int column) {
    }
}
