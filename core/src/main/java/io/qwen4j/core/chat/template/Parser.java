package io.qwen4j.core.chat.template;

import io.qwen4j.core.chat.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builds statement nodes from tokens; expressions are delegated to {@link ExpressionParser}. */
final class Parser {
    private static final Set<String> UNSUPPORTED = Set.of(
            "block", "extends", "include", "import", "from", "call", "autoescape", "trans", "pluralize");

    private static final Set<String> CLOSERS = Set.of("elif", "else", "endif", "endfor", "endset", "endmacro",
            "endfilter", "endwith", "endgeneration", "endraw");

    private final TokenStream in;
    private final ExpressionParser expressions;
    private int loopDepth;
    private int blockDepth;

    private Parser(List<Token> tokens) {
        this.in = new TokenStream(tokens);
        this.expressions = new ExpressionParser(in);
    }

    static List<Node> parse(String source) {
        return new Parser(Lexer.tokenize(source)).body(Set.of(), null);
    }

    /**
     * Parses nodes until a block tag whose name is in {@code endTags}; leaves the stream on that name.
     * {@code opener} names the open block for the error at end of template.
     */
    private List<Node> body(Set<String> endTags, Token opener) {
        if (++blockDepth > Limits.MAX_NESTING) {
            throw in.error("blocks nested too deeply (more than " + Limits.MAX_NESTING + ")", in.current());
        }
        List<Node> nodes = new ArrayList<>();
        while (true) {
            Token t = in.current();
            switch (t.kind()) {
                case DATA -> {
                    in.next();
                    nodes.add(new Node.Text(t.line(), t.text()));
                }
                case VARIABLE_BEGIN -> {
                    in.next();
                    Expr value = expressions.tuple(true, Set.of(), false);
                    in.expect(Kind.VARIABLE_END);
                    nodes.add(new Node.Output(t.line(), value));
                }
                case BLOCK_BEGIN -> {
                    Token name = in.peek(1);
                    if (name.kind() == Kind.NAME && endTags.contains(name.text())) {
                        in.next();
                        blockDepth--;
                        return nodes;
                    }
                    if (name.kind() == Kind.NAME && CLOSERS.contains(name.text())) {
                        throw in.error("unexpected '" + name.text() + "'" + (opener == null ? ""
                                : "; expected " + expected(endTags) + " to close the '" + opener.text()
                                + "' tag opened at line " + opener.line()), name);
                    }
                    in.next();
                    nodes.add(statement());
                }
                case EOF -> {
                    if (opener != null) {
                        throw in.error("unexpected end of template: the '" + opener.text() + "' tag opened at line "
                                + opener.line() + " is never closed (expected " + expected(endTags) + ")", t);
                    }
                    blockDepth--;
                    return nodes;
                }
                default -> throw in.error("unexpected " + t.describe(), t);
            }
        }
    }

    private static String expected(Set<String> endTags) {
        return String.join(" or ", endTags.stream().sorted().map(s -> "'" + s + "'").toList());
    }

    private Node statement() {
        Token tag = in.current();
        if (tag.kind() != Kind.NAME) {
            throw in.error("tag name expected, got " + tag.describe(), tag);
        }
        in.next();
        return switch (tag.text()) {
            case "for" -> forLoop(tag);
            case "if" -> ifBlock(tag);
            case "set" -> set(tag);
            case "macro" -> macro(tag);
            case "filter" -> filterBlock(tag);
            case "with" -> with(tag);
            case "generation" -> {
                in.expect(Kind.BLOCK_END);
                yield new Node.Block(tag.line(), closedBody(tag, "endgeneration"));
            }
            case "break", "continue" -> {
                if (loopDepth == 0) {
                    throw in.error("'" + tag.text() + "' outside loop", tag);
                }
                in.expect(Kind.BLOCK_END);
                yield tag.text().equals("break") ? new Node.Break(tag.line()) : new Node.Continue(tag.line());
            }
            default -> {
                if (UNSUPPORTED.contains(tag.text())) {
                    throw in.error("unsupported construct: the '" + tag.text() + "' tag", tag);
                }
                throw in.error("unknown tag '" + tag.text() + "'", tag);
            }
        };
    }

    /** Parses a body ending with {@code {% end %}} and consumes that closing tag. */
    private List<Node> closedBody(Token opener, String end) {
        List<Node> body = body(Set.of(end), opener);
        in.next();
        in.expect(Kind.BLOCK_END);
        return body;
    }

    private Node forLoop(Token tag) {
        Node.Target target = target(false, Set.of("in"));
        in.expectName("in");
        Expr iterable = expressions.tuple(false, Set.of("recursive", "if"), false);
        Expr filter = null;
        if (in.current().isName("if")) {
            in.next();
            filter = expressions.expression(true);
        }
        if (in.current().isName("recursive")) {
            throw in.error("unsupported construct: recursive for loops", in.current());
        }
        in.expect(Kind.BLOCK_END);
        loopDepth++;
        List<Node> body = body(Set.of("endfor", "else"), tag);
        loopDepth--;
        List<Node> otherwise = List.of();
        if (in.current().isName("else")) {
            in.next();
            in.expect(Kind.BLOCK_END);
            otherwise = body(Set.of("endfor"), tag);
        }
        in.next();
        in.expect(Kind.BLOCK_END);
        return new Node.For(tag.line(), target, iterable, filter, body, otherwise);
    }

    private Node ifBlock(Token tag) {
        List<Expr> tests = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        List<Node> otherwise = List.of();
        tests.add(expressions.tuple(false, Set.of(), false));
        in.expect(Kind.BLOCK_END);
        while (true) {
            bodies.add(body(Set.of("elif", "else", "endif"), tag));
            Token end = in.next();
            if (end.isName("elif")) {
                tests.add(expressions.tuple(false, Set.of(), false));
                in.expect(Kind.BLOCK_END);
            } else if (end.isName("else")) {
                in.expect(Kind.BLOCK_END);
                otherwise = closedBody(tag, "endif");
                break;
            } else {
                in.expect(Kind.BLOCK_END);
                break;
            }
        }
        return new Node.If(tag.line(), tests, bodies, otherwise);
    }

    private Node set(Token tag) {
        Node.Target target = target(true, Set.of());
        if (in.current().isOperator("=")) {
            in.next();
            Expr value = expressions.tuple(true, Set.of(), false);
            in.expect(Kind.BLOCK_END);
            return new Node.Set(tag.line(), target, value);
        }
        Expr filter = in.current().isOperator("|") ? expressions.filterChain(null) : null;
        in.expect(Kind.BLOCK_END);
        return new Node.SetBlock(tag.line(), target, filter, closedBody(tag, "endset"));
    }

    private Node macro(Token tag) {
        Token name = in.expect(Kind.NAME);
        in.expectOperator("(");
        List<String> parameters = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        while (!in.current().isOperator(")")) {
            if (!parameters.isEmpty()) {
                in.expectOperator(",");
                if (in.current().isOperator(")")) {
                    break;
                }
            }
            Token parameter = in.expect(Kind.NAME);
            parameters.add(parameter.text());
            if (in.current().isOperator("=")) {
                in.next();
                defaults.add(expressions.expression(true));
            } else {
                if (!defaults.isEmpty() && defaults.getLast() != null) {
                    throw in.error("non-default argument follows default argument", parameter);
                }
                defaults.add(null);
            }
        }
        in.next();
        in.expect(Kind.BLOCK_END);
        int savedLoopDepth = loopDepth;
        loopDepth = 0;
        int firstName = in.position();
        List<Node> body = closedBody(tag, "endmacro");
        loopDepth = savedLoopDepth;
        boolean varargs = in.namesSince(firstName).contains("varargs");
        boolean kwargs = in.namesSince(firstName).contains("kwargs");
        return new Node.MacroDef(tag.line(), name.text(), parameters, defaults, body, varargs, kwargs);
    }

    private Node filterBlock(Token tag) {
        Expr filter = expressions.filterChainWithoutPipe();
        in.expect(Kind.BLOCK_END);
        return new Node.FilterBlock(tag.line(), filter, closedBody(tag, "endfilter"));
    }

    private Node with(Token tag) {
        List<Node.Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (in.current().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                in.expectOperator(",");
            }
            targets.add(target(false, Set.of()));
            in.expectOperator("=");
            values.add(expressions.expression(true));
        }
        in.next();
        return new Node.With(tag.line(), targets, values, closedBody(tag, "endwith"));
    }

    /** An assignment target: a name, {@code ns.attr} where allowed, or a (possibly parenthesized) tuple of names. */
    private Node.Target target(boolean allowAttribute, Set<String> endNames) {
        Token first = in.current();
        if (allowAttribute && first.kind() == Kind.NAME && in.peek(1).isOperator(".")
                && in.peek(2).kind() == Kind.NAME) {
            in.next();
            in.next();
            return new Node.AttributeTarget(first.text(), in.next().text());
        }
        List<Node.Target> items = new ArrayList<>();
        boolean tuple = false;
        while (true) {
            if (!items.isEmpty()) {
                in.expectOperator(",");
            }
            Token t = in.current();
            if (t.kind() == Kind.BLOCK_END || t.isOperator("=") || (t.kind() == Kind.NAME && endNames.contains(t.text()))) {
                break;
            }
            items.add(simpleTarget());
            if (in.current().isOperator(",")) {
                tuple = true;
            } else {
                break;
            }
        }
        if (items.isEmpty()) {
            throw in.error("expected an assignment target, got " + in.current().describe(), in.current());
        }
        return tuple ? new Node.TupleTarget(items) : items.getFirst();
    }

    private Node.Target simpleTarget() {
        Token t = in.current();
        if (t.isOperator("(")) {
            in.next();
            Node.Target inner = target(false, Set.of());
            in.expectOperator(")");
            return inner;
        }
        Token name = in.expect(Kind.NAME);
        if (Set.of("true", "false", "none", "True", "False", "None").contains(name.text())) {
            throw in.error("can't assign to constant '" + name.text() + "'", name);
        }
        return new Node.NameTarget(name.text());
    }
}
