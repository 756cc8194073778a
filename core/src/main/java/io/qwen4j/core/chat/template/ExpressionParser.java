package io.qwen4j.core.chat.template;

import io.qwen4j.core.chat.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Jinja's expression grammar, with its precedence: filters and tests bind tighter than arithmetic. */
final class ExpressionParser {
    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");

    private final TokenStream in;
    private int depth;

    ExpressionParser(TokenStream in) {
        this.in = in;
    }

    /** An expression, with or without a trailing inline {@code if}. */
    Expr expression(boolean withConditional) {
        if (++depth > Limits.MAX_NESTING) {
            throw in.error("expression nested too deeply (more than " + Limits.MAX_NESTING + " levels)", in.current());
        }
        try {
            return withConditional ? conditional() : or();
        } finally {
            depth--;
        }
    }

    /**
     * Comma-separated expressions: one alone is itself, several (or a trailing comma) a tuple.
     * {@code endNames} are names that end the list, such as {@code if} after a for loop's iterable.
     */
    Expr tuple(boolean withConditional, Set<String> endNames, boolean parenthesized) {
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                in.expectOperator(",");
            }
            Token t = in.current();
            if (t.kind() == Kind.VARIABLE_END || t.kind() == Kind.BLOCK_END || t.isOperator(")")
                    || (t.kind() == Kind.NAME && endNames.contains(t.text()))) {
                break;
            }
            items.add(expression(withConditional));
            if (in.current().isOperator(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.getFirst();
            }
            if (!parenthesized) {
                throw in.error("expected an expression, got " + in.current().describe(), in.current());
            }
        }
        return new Expr.TupleLiteral(items);
    }

    private Expr conditional() {
        Expr result = or();
        while (in.current().isName("if")) {
            in.next();
            Expr test = or();
            Expr otherwise = null;
            if (in.current().isName("else")) {
                in.next();
                otherwise = conditional();
            }
            result = new Expr.Conditional(test, result, otherwise);
        }
        return result;
    }

    private Expr or() {
        Expr left = and();
        while (in.current().isName("or")) {
            in.next();
            left = new Expr.Or(left, and());
        }
        return left;
    }

    private Expr and() {
        Expr left = not();
        while (in.current().isName("and")) {
            in.next();
            left = new Expr.And(left, not());
        }
        return left;
    }

    private Expr not() {
        if (in.current().isName("not")) {
            in.next();
            return new Expr.Not(not());
        }
        return compare();
    }

    private Expr compare() {
        Expr first = additive();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = in.current();
            if (t.kind() == Kind.OPERATOR && COMPARISONS.contains(t.text())) {
                in.next();
                ops.add(t.text());
            } else if (t.isName("in")) {
                in.next();
                ops.add("in");
            } else if (t.isName("not") && in.peek(1).isName("in")) {
                in.next();
                in.next();
                ops.add("not in");
            } else {
                break;
            }
            rest.add(additive());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest);
    }

    private Expr additive() {
        Expr left = concat();
        while (in.current().isOperator("+") || in.current().isOperator("-")) {
            String op = in.next().text();
            left = new Expr.Binary(op, left, concat());
        }
        return left;
    }

    private Expr concat() {
        List<Expr> parts = new ArrayList<>();
        parts.add(multiplicative());
        while (in.current().isOperator("~")) {
            in.next();
            parts.add(multiplicative());
        }
        return parts.size() == 1 ? parts.getFirst() : new Expr.Concat(parts);
    }

    private Expr multiplicative() {
        Expr left = power();
        while (in.current().isOperator("*") || in.current().isOperator("/") || in.current().isOperator("//")
                || in.current().isOperator("%")) {
            String op = in.next().text();
            left = new Expr.Binary(op, left, power());
        }
        return left;
    }

    private Expr power() {
        Expr left = unary(true);
        while (in.current().isOperator("**")) {
            in.next();
            left = new Expr.Binary("**", left, unary(true));
        }
        return left;
    }

    private Expr unary(boolean withFilter) {
        if (++depth > Limits.MAX_NESTING) {
            throw in.error("expression nested too deeply (more than " + Limits.MAX_NESTING + " levels)", in.current());
        }
        try {
            Expr node;
            if (in.current().isOperator("-") || in.current().isOperator("+")) {
                String op = in.next().text();
                node = new Expr.Unary(op, unary(false));
            } else {
                node = primary();
            }
            node = postfix(node);
            return withFilter ? filtersAndTests(node) : node;
        } finally {
            depth--;
        }
    }

    private Expr primary() {
        Token t = in.next();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Const(true);
                    case "false", "False" -> new Expr.Const(false);
                    case "none", "None" -> new Expr.Const(null);
                    default -> new Expr.Name(t.text());
                };
            }
            case STRING -> {
                StringBuilder text = new StringBuilder((String) t.value());
                while (in.current().kind() == Kind.STRING) {
                    text.append((String) in.next().value());
                }
                return new Expr.Const(text.toString());
            }
            case INTEGER, FLOAT -> {
                return new Expr.Const(t.value());
            }
            case OPERATOR -> {
                switch (t.text()) {
                    case "(" -> {
                        Expr inner = tuple(true, Set.of(), true);
                        in.expectOperator(")");
                        return inner;
                    }
                    case "[" -> {
                        List<Expr> items = new ArrayList<>();
                        while (!in.current().isOperator("]")) {
                            if (!items.isEmpty()) {
                                in.expectOperator(",");
                                if (in.current().isOperator("]")) {
                                    break;
                                }
                            }
                            items.add(expression(true));
                        }
                        in.next();
                        return new Expr.ListLiteral(items);
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!in.current().isOperator("}")) {
                            if (!keys.isEmpty()) {
                                in.expectOperator(",");
                                if (in.current().isOperator("}")) {
                                    break;
                                }
                            }
                            keys.add(expression(true));
                            in.expectOperator(":");
                            values.add(expression(true));
                        }
                        in.next();
                        return new Expr.DictLiteral(keys, values);
                    }
                    default -> {
                    }
                }
            }
            default -> {
            }
        }
        throw in.error("unexpected " + t.describe(), t);
    }

    private Expr postfix(Expr node) {
        while (true) {
            Token t = in.current();
            if (t.isOperator(".") || t.isOperator("[")) {
                node = subscript(node);
            } else if (t.isOperator("(")) {
                node = new Expr.Call(node, arguments());
            } else {
                return node;
            }
        }
    }

    private Expr filtersAndTests(Expr node) {
        while (true) {
            Token t = in.current();
            if (t.isOperator("|")) {
                node = filterChain(node);
            } else if (t.isName("is")) {
                node = test(node);
            } else if (t.isOperator("(")) {
                node = new Expr.Call(node, arguments());
            } else {
                return node;
            }
        }
    }

    private Expr subscript(Expr node) {
        Token t = in.next();
        if (t.isOperator(".")) {
            Token attribute = in.next();
            if (attribute.kind() == Kind.NAME) {
                return new Expr.GetAttr(node, attribute.text());
            }
            if (attribute.kind() != Kind.INTEGER) {
                throw in.error("expected a name or number after '.', got " + attribute.describe(), attribute);
            }
            return new Expr.GetItem(node, new Expr.Const(attribute.value()));
        }
        List<Expr> keys = new ArrayList<>();
        while (!in.current().isOperator("]")) {
            if (!keys.isEmpty()) {
                in.expectOperator(",");
            }
            keys.add(subscribed());
        }
        in.next();
        if (keys.isEmpty()) {
            throw in.error("expected an index or slice inside '[]'", t);
        }
        return new Expr.GetItem(node, keys.size() == 1 ? keys.getFirst() : new Expr.TupleLiteral(keys));
    }

    private Expr subscribed() {
        Expr start = null;
        if (in.current().isOperator(":")) {
            in.next();
        } else {
            start = expression(true);
            if (!in.current().isOperator(":")) {
                return start;
            }
            in.next();
        }
        Expr stop = sliceBound() ? expression(true) : null;
        Expr step = null;
        if (in.current().isOperator(":")) {
            in.next();
            step = sliceBound() ? expression(true) : null;
        }
        return new Expr.Slice(start, stop, step);
    }

    private boolean sliceBound() {
        Token t = in.current();
        return !t.isOperator("]") && !t.isOperator(",") && !t.isOperator(":");
    }

    /** {@code | f(args) | g ...} applied to {@code value} (null inside filter blocks). */
    Expr filterChain(Expr value) {
        Expr node = value;
        while (in.current().isOperator("|")) {
            in.next();
            node = oneFilter(node);
        }
        return node;
    }

    /** The filter list of {@code {% filter f | g %}}, whose first filter has no pipe before it. */
    Expr filterChainWithoutPipe() {
        return filterChain(oneFilter(null));
    }

    private Expr oneFilter(Expr value) {
        Token name = in.expect(Kind.NAME);
        String full = dottedName(name);
        if (!Filters.exists(full)) {
            throw in.error("no filter named '" + full + "'", name);
        }
        Expr.Arguments args = in.current().isOperator("(") ? arguments() : Expr.Arguments.NONE;
        return new Expr.Filter(value, full, args);
    }

    private Expr test(Expr value) {
        in.next();
        boolean negated = false;
        if (in.current().isName("not")) {
            in.next();
            negated = true;
        }
        Token name = in.expect(Kind.NAME);
        String full = dottedName(name);
        if (!Tests.exists(full)) {
            throw in.error("no test named '" + full + "'", name);
        }
        Expr.Arguments args = Expr.Arguments.NONE;
        Token t = in.current();
        if (t.isOperator("(")) {
            args = arguments();
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER
                || t.kind() == Kind.FLOAT || t.isOperator("[") || t.isOperator("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) {
                throw in.error("you cannot chain multiple tests with 'is'", t);
            }
            Expr argument = postfix(primary());
            args = new Expr.Arguments(List.of(argument), List.of(), List.of());
        }
        Expr node = new Expr.Test(value, full, args);
        return negated ? new Expr.Not(node) : node;
    }

    private String dottedName(Token first) {
        StringBuilder name = new StringBuilder(first.text());
        while (in.current().isOperator(".") && in.peek(1).kind() == Kind.NAME) {
            in.next();
            name.append('.').append(in.next().text());
        }
        return name.toString();
    }

    private Expr.Arguments arguments() {
        in.expectOperator("(");
        List<Expr> positional = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        boolean first = true;
        while (!in.current().isOperator(")")) {
            if (!first) {
                in.expectOperator(",");
                if (in.current().isOperator(")")) {
                    break;
                }
            }
            first = false;
            Token t = in.current();
            if (t.isOperator("*") || t.isOperator("**")) {
                throw in.error("unsupported construct: '" + t.text() + "' argument unpacking in calls", t);
            }
            if (t.kind() == Kind.NAME && in.peek(1).isOperator("=")) {
                in.next();
                in.next();
                if (names.contains(t.text())) {
                    throw in.error("keyword argument '" + t.text() + "' repeated", t);
                }
                names.add(t.text());
                values.add(expression(true));
            } else {
                if (!names.isEmpty()) {
                    throw in.error("positional argument follows keyword argument", t);
                }
                positional.add(expression(true));
            }
        }
        in.next();
        return new Expr.Arguments(positional, names, values);
    }
}
