package io.qwen4j.core.chat.template;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Jinja's tests, used as {@code value is name(args)}. */
final class Tests {
    private static final Set<String> NAMES = Set.of("defined", "undefined", "none", "boolean", "true", "false",
            "integer", "float", "number", "string", "mapping", "iterable", "sequence", "callable", "sameas",
            "escaped", "odd", "even", "divisibleby", "lower", "upper", "eq", "equalto", "==", "ne", "!=", "lt",
            "lessthan", "<", "le", "<=", "gt", "greaterthan", ">", "ge", ">=", "in", "filter", "test");

    private Tests() {
    }

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static boolean apply(String name, Object value, CallArgs args) {
        if (!exists(name)) {
            throw new PyError("no test named '" + name + "'");
        }
        return switch (name) {
            case "defined" -> none(args, name, !(value instanceof Undefined));
            case "undefined" -> none(args, name, value instanceof Undefined);
            case "none" -> none(args, name, value == null);
            case "boolean" -> none(args, name, value instanceof Boolean);
            case "true" -> none(args, name, Boolean.TRUE.equals(value));
            case "false" -> none(args, name, Boolean.FALSE.equals(value));
            case "integer" -> none(args, name, Py.isInt(value));
            case "float" -> none(args, name, Py.isFloat(value));
            case "number" -> none(args, name, Py.isNumber(value));
            case "string" -> none(args, name, value instanceof String);
            case "mapping" -> none(args, name, value instanceof Map<?, ?>);
            case "iterable" -> none(args, name, Py.isIterable(value));
            case "sequence" -> none(args, name, value instanceof String || value instanceof List<?>
                    || value instanceof PyTuple || value instanceof Map<?, ?> || value instanceof Undefined);
            case "callable" -> none(args, name, value instanceof PyCallable || value instanceof Undefined);
            case "escaped" -> none(args, name, false);
            case "odd", "even" -> {
                args.bind(name, new String[0], new Object[0]);
                if (!Py.isInt(value) && !(value instanceof Boolean)) {
                    throw new PyError("not all arguments converted during string formatting");
                }
                boolean odd = Py.bigInt(value).testBit(0);
                yield name.equals("odd") == odd;
            }
            case "divisibleby" -> {
                Object n = args.bind(name, "num", CallArgs.REQUIRED)[0];
                yield Py.eq(Operators.binary("%", value, n), 0L);
            }
            case "lower" -> none(args, name, Py.str(value).equals(PyStrings.lower(Py.str(value)))
                    && Py.str(value).codePoints().anyMatch(Character::isLowerCase));
            case "upper" -> none(args, name, Py.str(value).equals(PyStrings.upper(Py.str(value)))
                    && Py.str(value).codePoints().anyMatch(Character::isUpperCase));
            case "sameas" -> {
                Object other = args.bind(name, "other", CallArgs.REQUIRED)[0];
                yield value == other || (value == null && other == null)
                        || (value instanceof Boolean && value.equals(other));
            }
            case "eq", "equalto", "==" -> Py.eq(value, one(args, name));
            case "ne", "!=" -> !Py.eq(value, one(args, name));
            case "lt", "lessthan", "<" -> ordered(value, one(args, name), "<", c -> c < 0);
            case "le", "<=" -> ordered(value, one(args, name), "<=", c -> c <= 0);
            case "gt", "greaterthan", ">" -> ordered(value, one(args, name), ">", c -> c > 0);
            case "ge", ">=" -> ordered(value, one(args, name), ">=", c -> c >= 0);
            case "in" -> Py.contains(one(args, name), value);
            case "filter" -> none(args, name, value instanceof String s && Filters.exists(s));
            case "test" -> none(args, name, value instanceof String s && exists(s));
            default -> throw new IllegalStateException(name);
        };
    }

    static boolean ordered(Object a, Object b, String op, java.util.function.IntPredicate accept) {
        int c = Py.compare(a, b, op);
        return c != Integer.MIN_VALUE && accept.test(c);
    }

    private static boolean none(CallArgs args, String name, boolean result) {
        args.bind(name, new String[0], new Object[0]);
        return result;
    }

    private static Object one(CallArgs args, String name) {
        return args.bind(name, "other", CallArgs.REQUIRED)[0];
    }
}
