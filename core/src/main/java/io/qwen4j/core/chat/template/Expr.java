package io.qwen4j.core.chat.template;

import java.util.List;

/** Expression nodes of a parsed template. */
sealed interface Expr {

    /** Call arguments as written: positional expressions, then keyword names and expressions. */
    record Arguments(List<Expr> positional, List<String> keywordNames, List<Expr> keywordValues) {
        static final Arguments NONE = new Arguments(List.of(), List.of(), List.of());
    }

    record Const(Object value) implements Expr {
    }

    record Name(String name) implements Expr {
    }

    record ListLiteral(List<Expr> items) implements Expr {
    }

    record TupleLiteral(List<Expr> items) implements Expr {
    }

    record DictLiteral(List<Expr> keys, List<Expr> values) implements Expr {
    }

    /** {@code obj.name}: attribute first, then item (Jinja's getattr). */
    record GetAttr(Expr target, String name) implements Expr {
    }

    /** {@code obj[key]} or {@code obj.0}: item first, then attribute (Jinja's getitem). */
    record GetItem(Expr target, Expr key) implements Expr {
    }

    /** {@code start:stop:step} inside brackets; absent parts are null. */
    record Slice(Expr start, Expr stop, Expr step) implements Expr {
    }

    record Call(Expr target, Arguments arguments) implements Expr {
    }

    /** {@code value | name(args)}; {@code value} is null inside a filter block, which supplies it. */
    record Filter(Expr value, String name, Arguments arguments) implements Expr {
    }

    record Test(Expr value, String name, Arguments arguments) implements Expr {
    }

    record Unary(String op, Expr operand) implements Expr {
    }

    record Binary(String op, Expr left, Expr right) implements Expr {
    }

    /** Chained comparison {@code a < b <= c}: ops[i] compares operand i with operand i+1. */
    record Compare(Expr first, List<String> ops, List<Expr> rest) implements Expr {
    }

    record And(Expr left, Expr right) implements Expr {
    }

    record Or(Expr left, Expr right) implements Expr {
    }

    record Not(Expr operand) implements Expr {
    }

    record Concat(List<Expr> parts) implements Expr {
    }

    /** {@code then if test else otherwise}; {@code otherwise} may be null (then the result is Undefined). */
    record Conditional(Expr test, Expr then, Expr otherwise) implements Expr {
    }
}
