package io.qwen4j.core.chat.template;

import java.util.List;

/** Statement nodes of a parsed template; every node knows the template line it starts on. */
sealed interface Node {
    int line();

    /** Assignment targets of for and set. */
    sealed interface Target {
    }

    record NameTarget(String name) implements Target {
    }

    record TupleTarget(List<Target> items) implements Target {
    }

    /** {@code ns.attr}, only valid on a namespace. */
    record AttributeTarget(String name, String attribute) implements Target {
    }

    record Text(int line, String text) implements Node {
    }

    record Output(int line, Expr value) implements Node {
    }

    record If(int line, List<Expr> tests, List<List<Node>> bodies, List<Node> otherwise) implements Node {
    }

    record For(int line, Target target, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise)
            implements Node {
    }

    record Set(int line, Target target, Expr value) implements Node {
    }

    /** {@code {% set x | filters %}body{% endset %}}; {@code filter} applies to the body text, may be null. */
    record SetBlock(int line, Target target, Expr filter, List<Node> body) implements Node {
    }

    record MacroDef(int line, String name, List<String> parameters, List<Expr> defaults, List<Node> body,
                    boolean catchVarargs, boolean catchKwargs) implements Node {
    }

    /** {@code {% filter f %}body{% endfilter %}}: the filter's value operand is null and takes the body text. */
    record FilterBlock(int line, Expr filter, List<Node> body) implements Node {
    }

    record With(int line, List<Target> targets, List<Expr> values, List<Node> body) implements Node {
    }

    /** Bodies that render unchanged, such as {@code {% generation %}}. */
    record Block(int line, List<Node> body) implements Node {
    }

    record Break(int line) implements Node {
    }

    record Continue(int line) implements Node {
    }
}
