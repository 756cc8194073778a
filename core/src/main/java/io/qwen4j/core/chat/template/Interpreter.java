package io.qwen4j.core.chat.template;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Executes template nodes against a scope, writing output; one instance per render. */
final class Interpreter {
    private enum Flow { NORMAL, BREAK, CONTINUE }

    private final Evaluator evaluator = new Evaluator(this);
    private int macroDepth;

    String render(List<Node> nodes, Scope scope) {
        StringBuilder out = new StringBuilder();
        execute(nodes, scope, out);
        return out.toString();
    }

    Object evaluate(Expr expr, Scope scope) {
        return evaluator.eval(expr, scope);
    }

    String renderMacro(Node.MacroDef macro, Scope scope) {
        if (macroDepth >= Limits.MAX_MACRO_DEPTH) {
            throw new PyError("macro recursion too deep: more than " + Limits.MAX_MACRO_DEPTH
                    + " nested macro calls (calling '" + macro.name() + "')");
        }
        macroDepth++;
        try {
            return render(macro.body(), scope);
        } finally {
            macroDepth--;
        }
    }

    private Flow execute(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node node : nodes) {
            Flow flow;
            try {
                flow = executeOne(node, scope, out);
            } catch (RaisedError e) {
                throw new TemplateRenderException(e.getMessage(), node.line(), true, null);
            } catch (PyError e) {
                throw new TemplateRenderException(e.getMessage(), node.line(), false, null);
            }
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    private Flow executeOne(Node node, Scope scope, StringBuilder out) {
        switch (node) {
            case Node.Text t -> out.append(t.text());
            case Node.Output o -> {
                out.append(Py.str(evaluate(o.value(), scope)));
                Limits.checkSize(out.length());
            }
            case Node.If i -> {
                for (int k = 0; k < i.tests().size(); k++) {
                    if (Py.truthy(evaluate(i.tests().get(k), scope))) {
                        return execute(i.bodies().get(k), scope, out);
                    }
                }
                return execute(i.otherwise(), scope, out);
            }
            case Node.For f -> forLoop(f, scope, out);
            case Node.Set s -> assign(s.target(), evaluate(s.value(), scope), scope);
            case Node.SetBlock s -> {
                Object text = render(s.body(), scope.child());
                if (s.filter() != null) {
                    text = evaluator.applyFilterChain(s.filter(), text, scope);
                }
                assign(s.target(), text, scope);
            }
            case Node.MacroDef m -> scope.set(m.name(), new Macro(m, scope, this));
            case Node.FilterBlock f -> out.append(Py.str(
                    evaluator.applyFilterChain(f.filter(), render(f.body(), scope.child()), scope)));
            case Node.With w -> {
                Scope inner = scope.child();
                for (int k = 0; k < w.targets().size(); k++) {
                    assign(w.targets().get(k), evaluate(w.values().get(k), scope), inner);
                }
                return execute(w.body(), inner, out);
            }
            case Node.Block b -> {
                return execute(b.body(), scope, out);
            }
            case Node.Break b -> {
                return Flow.BREAK;
            }
            case Node.Continue c -> {
                return Flow.CONTINUE;
            }
        }
        return Flow.NORMAL;
    }

    private void forLoop(Node.For f, Scope scope, StringBuilder out) {
        Object iterable = evaluate(f.iterable(), scope);
        Iterator<Object> items = Py.iterate(iterable);
        if (f.filter() != null) {
            items = Filters.filtering(items, item -> {
                Scope test = scope.child();
                assign(f.target(), item, test);
                return Py.truthy(evaluate(f.filter(), test));
            });
        }
        LoopContext loop = new LoopContext(items);
        boolean iterated = false;
        while (loop.advance()) {
            iterated = true;
            Scope iteration = scope.child();
            assign(f.target(), loop.current(), iteration);
            iteration.set("loop", loop);
            if (execute(f.body(), iteration, out) == Flow.BREAK) {
                break;
            }
        }
        if (!iterated) {
            execute(f.otherwise(), scope, out);
        }
    }

    void assign(Node.Target target, Object value, Scope scope) {
        switch (target) {
            case Node.NameTarget n -> scope.set(n.name(), value);
            case Node.AttributeTarget a -> {
                Object owner = scope.find(a.name());
                if (!(owner instanceof Namespace ns)) {
                    throw new PyError("cannot assign attribute on non-namespace object");
                }
                ns.attributes.put(a.attribute(), value);
            }
            case Node.TupleTarget t -> {
                if (value instanceof Undefined u) {
                    throw u.error();
                }
                List<Object> values = Py.toList(value);
                int expected = t.items().size();
                if (values.size() > expected) {
                    throw new PyError("too many values to unpack (expected " + expected + ")");
                }
                if (values.size() < expected) {
                    throw new PyError("not enough values to unpack (expected " + expected + ", got " + values.size() + ")");
                }
                for (int k = 0; k < expected; k++) {
                    assign(t.items().get(k), values.get(k), scope);
                }
            }
        }
    }

    /** Builds the CallArgs of a call site. */
    CallArgs arguments(Expr.Arguments args, Scope scope) {
        List<Object> positional = new ArrayList<>(args.positional().size());
        for (Expr e : args.positional()) {
            positional.add(evaluate(e, scope));
        }
        Map<String, Object> keywords = new LinkedHashMap<>();
        for (int k = 0; k < args.keywordNames().size(); k++) {
            keywords.put(args.keywordNames().get(k), evaluate(args.keywordValues().get(k), scope));
        }
        return new CallArgs(positional, keywords);
    }
}
