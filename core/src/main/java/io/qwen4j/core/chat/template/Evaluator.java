package io.qwen4j.core.chat.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluates expressions with Jinja's semantics; {@code and}/{@code or} return an operand, as Python does. */
final class Evaluator {
    private final Interpreter interpreter;

    Evaluator(Interpreter interpreter) {
        this.interpreter = interpreter;
    }

    Object eval(Expr expr, Scope scope) {
        return switch (expr) {
            case Expr.Const c -> c.value();
            case Expr.Name n -> {
                Object value = scope.find(n.name());
                yield value == Scope.MISSING ? Undefined.variable(n.name()) : value;
            }
            case Expr.ListLiteral l -> evalAll(l.items(), scope);
            case Expr.TupleLiteral t -> new PyTuple(evalAll(t.items(), scope));
            case Expr.DictLiteral d -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    Object key = eval(d.keys().get(i), scope);
                    if (key instanceof List<?> || key instanceof Map<?, ?> || key instanceof Undefined) {
                        throw new PyError("unhashable type: '" + Py.typeName(key) + "'");
                    }
                    Py.put(map, key, eval(d.values().get(i), scope));
                }
                yield map;
            }
            case Expr.GetAttr g -> Access.getattr(eval(g.target(), scope), g.name());
            case Expr.GetItem g -> Access.getitem(eval(g.target(), scope), eval(g.key(), scope));
            case Expr.Slice s -> new PySlice(evalOrNull(s.start(), scope), evalOrNull(s.stop(), scope),
                    evalOrNull(s.step(), scope));
            case Expr.Call c -> call(eval(c.target(), scope), interpreter.arguments(c.arguments(), scope));
            case Expr.Filter f -> Filters.apply(f.name(), eval(f.value(), scope),
                    interpreter.arguments(f.arguments(), scope));
            case Expr.Test t -> Tests.apply(t.name(), eval(t.value(), scope), interpreter.arguments(t.arguments(), scope));
            case Expr.Unary u -> u.op().equals("-") ? Operators.negate(eval(u.operand(), scope))
                    : Operators.plus(eval(u.operand(), scope));
            case Expr.Binary b -> Operators.binary(b.op(), eval(b.left(), scope), eval(b.right(), scope));
            case Expr.Compare c -> compare(c, scope);
            case Expr.And a -> {
                Object left = eval(a.left(), scope);
                yield Py.truthy(left) ? eval(a.right(), scope) : left;
            }
            case Expr.Or o -> {
                Object left = eval(o.left(), scope);
                yield Py.truthy(left) ? left : eval(o.right(), scope);
            }
            case Expr.Not n -> !Py.truthy(eval(n.operand(), scope));
            case Expr.Concat c -> {
                StringBuilder out = new StringBuilder();
                for (Expr part : c.parts()) {
                    out.append(Py.str(eval(part, scope)));
                    Limits.checkSize(out.length());
                }
                yield out.toString();
            }
            case Expr.Conditional c -> {
                if (Py.truthy(eval(c.test(), scope))) {
                    yield eval(c.then(), scope);
                }
                yield c.otherwise() == null
                        ? Undefined.withHint("the inline if-expression evaluated to false and no else section was defined.")
                        : eval(c.otherwise(), scope);
            }
        };
    }

    /** Applies a filter chain parsed with a null innermost value (set and filter blocks) to {@code value}. */
    Object applyFilterChain(Expr chain, Object value, Scope scope) {
        Expr.Filter f = (Expr.Filter) chain;
        Object input = f.value() == null ? value : applyFilterChain(f.value(), value, scope);
        return Filters.apply(f.name(), input, interpreter.arguments(f.arguments(), scope));
    }

    private List<Object> evalAll(List<Expr> items, Scope scope) {
        List<Object> out = new ArrayList<>(items.size());
        for (Expr e : items) {
            out.add(eval(e, scope));
        }
        return out;
    }

    private Object evalOrNull(Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    private static Object call(Object target, CallArgs args) {
        if (target instanceof Undefined u) {
            throw u.error();
        }
        if (target instanceof PyCallable callable) {
            return callable.call(args);
        }
        throw new PyError("'" + Py.typeName(target) + "' object is not callable");
    }

    private Object compare(Expr.Compare c, Scope scope) {
        Object left = eval(c.first(), scope);
        for (int i = 0; i < c.ops().size(); i++) {
            Object right = eval(c.rest().get(i), scope);
            boolean holds = switch (c.ops().get(i)) {
                case "==" -> Py.eq(left, right);
                case "!=" -> !Py.eq(left, right);
                case "<" -> Tests.ordered(left, right, "<", x -> x < 0);
                case "<=" -> Tests.ordered(left, right, "<=", x -> x <= 0);
                case ">" -> Tests.ordered(left, right, ">", x -> x > 0);
                case ">=" -> Tests.ordered(left, right, ">=", x -> x >= 0);
                case "in" -> Py.contains(right, left);
                case "not in" -> !Py.contains(right, left);
                default -> throw new IllegalStateException(c.ops().get(i));
            };
            if (!holds) {
                return false;
            }
            left = right;
        }
        return true;
    }
}
