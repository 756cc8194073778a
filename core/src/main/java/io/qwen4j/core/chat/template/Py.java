package io.qwen4j.core.chat.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python value semantics over the Java objects a template sees: None is null, bool is Boolean,
 * int is Integer/Long/BigInteger, float is Double, str is String, list is List, dict is Map.
 */
final class Py {
    private Py() {
    }

    // ---- types ----

    static boolean isInt(Object o) {
        return o instanceof Integer || o instanceof Long || o instanceof BigInteger
                || o instanceof Short || o instanceof Byte;
    }

    static boolean isFloat(Object o) {
        return o instanceof Double || o instanceof Float;
    }

    /** int, float or bool: what Python arithmetic accepts. */
    static boolean isNumber(Object o) {
        return isInt(o) || isFloat(o) || o instanceof Boolean;
    }

    static boolean isSequence(Object o) {
        return o instanceof List<?> || o instanceof PyTuple;
    }

    static BigInteger bigInt(Object o) {
        if (o instanceof BigInteger b) {
            return b;
        }
        if (o instanceof Boolean b) {
            return b ? BigInteger.ONE : BigInteger.ZERO;
        }
        return BigInteger.valueOf(((Number) o).longValue());
    }

    static double toDouble(Object o) {
        if (o instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) o).doubleValue();
    }

    /** An int result in its smallest Java form: Long where it fits, else BigInteger. */
    static Object normalize(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    /** A Python int argument as a Java int, for indexes and counts. */
    static int toIndex(Object o, String what) {
        if (o instanceof Boolean || isInt(o)) {
            BigInteger b = bigInt(o);
            if (b.bitLength() >= 32) {
                return b.signum() < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
            }
            return b.intValue();
        }
        if (o instanceof Undefined u) {
            throw u.error();
        }
        throw new PyError(what + " must be an integer, not '" + typeName(o) + "'");
    }

    /** The Python type name used in error messages. */
    static String typeName(Object o) {
        if (o == null) {
            return "NoneType";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (isInt(o)) {
            return "int";
        }
        if (isFloat(o)) {
            return "float";
        }
        return switch (o) {
            case String s -> "str";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case PyTuple t -> "tuple";
            case PySlice s -> "slice";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case LoopContext l -> "LoopContext";
            case Macro m -> "Macro";
            case Generator g -> g.name;
            case DictView v -> v.typeName();
            case BoundMethod b -> "builtin_function_or_method";
            case GlobalFunction f -> "function";
            default -> o.getClass().getSimpleName();
        };
    }

    /** Jinja's object_type_repr, used in undefined-attribute messages: "dict object", "None". */
    static String objectTypeRepr(Object o) {
        if (o == null) {
            return "None";
        }
        String name = typeName(o);
        return switch (name) {
            case "Namespace" -> "jinja2.utils.Namespace object";
            case "LoopContext" -> "jinja2.runtime.LoopContext object";
            case "Macro" -> "jinja2.runtime.Macro object";
            default -> name + " object";
        };
    }

    // ---- truth, length, iteration ----

    static boolean truthy(Object o) {
        if (o == null || o instanceof Undefined) {
            return false;
        }
        if (o instanceof Boolean b) {
            return b;
        }
        if (o instanceof String s) {
            return !s.isEmpty();
        }
        if (isInt(o)) {
            return bigInt(o).signum() != 0;
        }
        if (isFloat(o)) {
            return toDouble(o) != 0;
        }
        return switch (o) {
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case PyTuple t -> !t.items().isEmpty();
            case DictView v -> !v.map().isEmpty();
            default -> true;
        };
    }

    static int len(Object o) {
        return switch (o) {
            case String s -> s.codePointCount(0, s.length());
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            case PyTuple t -> t.items().size();
            case DictView v -> v.map().size();
            case Undefined u -> 0;
            case null, default -> throw new PyError("object of type '" + typeName(o) + "' has no len()");
        };
    }

    /** Python's iter(): strings give characters, dicts give keys, Undefined gives nothing. */
    @SuppressWarnings("unchecked")
    static Iterator<Object> iterate(Object o) {
        return switch (o) {
            case String s -> PyStrings.characters(s).iterator();
            case Collection<?> c -> (Iterator<Object>) c.iterator();
            case Map<?, ?> m -> new ArrayList<Object>(m.keySet()).iterator();
            case PyTuple t -> t.items().iterator();
            case DictView v -> v.elements().iterator();
            case Generator g -> g.iterator;
            case Undefined u -> Collections.emptyIterator();
            case null, default -> throw new PyError("'" + typeName(o) + "' object is not iterable");
        };
    }

    static List<Object> toList(Object o) {
        List<Object> out = new ArrayList<>();
        iterate(o).forEachRemaining(out::add);
        return out;
    }

    /** Whether Python's iter() accepts the value. */
    static boolean isIterable(Object o) {
        return o instanceof String || o instanceof Collection<?> || o instanceof Map<?, ?> || o instanceof PyTuple
                || o instanceof DictView || o instanceof Generator || o instanceof Undefined;
    }

    // ---- str and repr ----

    /** Python's str(), with Jinja's Undefined printing as "". */
    static String str(Object o) {
        if (o instanceof String s) {
            return s;
        }
        if (o instanceof Undefined) {
            return "";
        }
        return repr(o);
    }

    static String repr(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (isInt(o)) {
            return o.toString();
        }
        if (isFloat(o)) {
            return PyFloat.repr(toDouble(o));
        }
        StringBuilder out = new StringBuilder();
        switch (o) {
            case String s -> PyStrings.repr(s, out);
            case List<?> l -> {
                out.append('[');
                joinRepr(l, out);
                out.append(']');
            }
            case PyTuple t -> {
                out.append('(');
                joinRepr(t.items(), out);
                out.append(t.items().size() == 1 ? ",)" : ")");
            }
            case Map<?, ?> m -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    out.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                }
                out.append('}');
            }
            case DictView v -> {
                out.append(v.typeName()).append("([");
                joinRepr(v.elements(), out);
                out.append("])");
            }
            case Undefined u -> out.append("Undefined");
            default -> out.append(o);
        }
        return out.toString();
    }

    private static void joinRepr(List<?> values, StringBuilder out) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(repr(values.get(i)));
        }
    }

    // ---- equality and ordering ----

    static boolean eq(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            return compareNumbers(a, b) == 0;
        }
        if (a instanceof String sa && b instanceof String sb) {
            return sa.equals(sb);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            return listsEqual(la, lb);
        }
        if (a instanceof PyTuple ta && b instanceof PyTuple tb) {
            return listsEqual(ta.items(), tb.items());
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                Object other = lookup(mb, e.getKey());
                if (other == Scope.MISSING || !eq(e.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Undefined && b instanceof Undefined) {
            return true;
        }
        return a.equals(b);
    }

    private static boolean listsEqual(List<?> a, List<?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!eq(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** A dict lookup with Python key equality; {@link Scope#MISSING} when absent. */
    static Object lookup(Map<?, ?> map, Object key) {
        if (map.containsKey(key)) {
            return map.get(key);
        }
        if (isNumber(key)) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (isNumber(e.getKey()) && eq(e.getKey(), key)) {
                    return e.getValue();
                }
            }
        }
        return Scope.MISSING;
    }

    /** Python's {@code map[key] = value}: a key equal to an existing one (1 and True) keeps the first spelling. */
    static void put(Map<Object, Object> map, Object key, Object value) {
        if (isNumber(key) && !map.containsKey(key)) {
            for (Map.Entry<Object, Object> e : map.entrySet()) {
                if (isNumber(e.getKey()) && eq(e.getKey(), key)) {
                    e.setValue(value);
                    return;
                }
            }
        }
        map.put(key, value);
    }

    private static int compareNumbers(Object a, Object b) {
        if (!isFloat(a) && !isFloat(b)) {
            return bigInt(a).compareTo(bigInt(b));
        }
        double da = toDouble(a);
        double db = toDouble(b);
        if (Double.isNaN(da) || Double.isNaN(db)) {
            return Integer.MIN_VALUE; // unordered: every comparison is false
        }
        if (Double.isInfinite(da) || Double.isInfinite(db)) {
            return Double.compare(da, db);
        }
        BigDecimal x = isFloat(a) ? new BigDecimal(da) : new BigDecimal(bigInt(a));
        BigDecimal y = isFloat(b) ? new BigDecimal(db) : new BigDecimal(bigInt(b));
        return x.compareTo(y);
    }

    /** Python ordering for {@code <}, {@code <=}, {@code >}, {@code >=}; {@link Integer#MIN_VALUE} means unordered (NaN). */
    static int compare(Object a, Object b, String op) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        if (isNumber(a) && isNumber(b)) {
            return compareNumbers(a, b);
        }
        if (a instanceof String sa && b instanceof String sb) {
            return PyStrings.compare(sa, sb);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            return compareLists(la, lb, op);
        }
        if (a instanceof PyTuple ta && b instanceof PyTuple tb) {
            return compareLists(ta.items(), tb.items(), op);
        }
        throw new PyError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    private static int compareLists(List<?> a, List<?> b, String op) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            if (!eq(a.get(i), b.get(i))) {
                return compare(a.get(i), b.get(i), op);
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** Python's {@code needle in haystack}. */
    static boolean contains(Object haystack, Object needle) {
        if (haystack == null) {
            throw new PyError("argument of type 'NoneType' is not iterable");
        }
        switch (haystack) {
            case String s -> {
                if (!(needle instanceof String n)) {
                    throw new PyError("'in <string>' requires string as left operand, not " + typeName(needle));
                }
                return s.contains(n);
            }
            case Map<?, ?> m -> {
                return lookup(m, needle) != Scope.MISSING;
            }
            case DictView v when v.kind() == DictView.Kind.KEYS -> {
                return lookup(v.map(), needle) != Scope.MISSING;
            }
            case Undefined u -> {
                return false;
            }
            default -> {
                if (!isIterable(haystack)) {
                    throw new PyError("argument of type '" + typeName(haystack) + "' is not iterable");
                }
                Iterator<Object> it = iterate(haystack);
                while (it.hasNext()) {
                    if (eq(it.next(), needle)) {
                        return true;
                    }
                }
                return false;
            }
        }
    }
}
