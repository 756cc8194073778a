package io.qwen4j.core.chat.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Jinja's built-in filters that chat templates use, plus Hugging Face's tojson. */
final class Filters {
    private static final Set<String> NAMES = Set.of("abs", "attr", "batch", "capitalize", "center", "count", "d",
            "default", "dictsort", "e", "escape", "first", "float", "format", "indent", "int", "items", "join",
            "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse",
            "round", "safe", "select", "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "unique",
            "upper", "wordcount");
    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)", Pattern.UNICODE_CHARACTER_CLASS);

    private Filters() {
    }

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static Object apply(String name, Object value, CallArgs args) {
        return switch (name) {
            case "abs" -> {
                bind(args, name);
                if (value instanceof Undefined u) {
                    throw u.error();
                }
                if (Py.isFloat(value)) {
                    yield Math.abs(Py.toDouble(value));
                }
                if (!Py.isNumber(value)) {
                    throw new PyError("bad operand type for abs(): '" + Py.typeName(value) + "'");
                }
                yield Py.normalize(Py.bigInt(value).abs());
            }
            case "attr" -> {
                Object attribute = args.bind(name, "name", CallArgs.REQUIRED)[0];
                yield attrOnly(value, Py.str(attribute));
            }
            case "batch" -> batch(value, args);
            case "capitalize" -> {
                bind(args, name);
                yield PyStrings.capitalize(Py.str(value));
            }
            case "center" -> Methods.call(Py.str(value), "center",
                    CallArgs.of(args.bind(name, "width", 80L)[0]));
            case "count", "length" -> {
                bind(args, name);
                yield (long) Py.len(value);
            }
            case "d", "default" -> {
                Object[] a = args.bind(name, "default_value", "", "boolean", false);
                boolean useDefault = value instanceof Undefined || (Py.truthy(a[1]) && !Py.truthy(value));
                yield useDefault ? a[0] : value;
            }
            case "dictsort" -> dictsort(value, args);
            case "e", "escape" -> {
                bind(args, name);
                yield escape(Py.str(value));
            }
            case "first" -> {
                bind(args, name);
                Iterator<Object> it = Py.iterate(value);
                yield it.hasNext() ? it.next() : Undefined.withHint("No first item, sequence was empty.");
            }
            case "last" -> {
                bind(args, name);
                List<Object> items = reversible(value);
                yield items.isEmpty() ? Undefined.withHint("No last item, sequence was empty.") : items.getLast();
            }
            case "float" -> toFloat(value, args.bind(name, "default", 0.0)[0]);
            case "format" -> throw new PyError("unsupported construct: the 'format' filter (printf-style formatting)");
            case "indent" -> indent(value, args);
            case "int" -> {
                Object[] a = args.bind(name, "default", 0L, "base", 10L);
                yield toInt(value, a[0], Py.toIndex(a[1], "base"));
            }
            case "items" -> {
                bind(args, name);
                // A generator: a non-mapping fails only when the items are pulled.
                yield new Generator("generator", new Iterator<>() {
                    private Iterator<Object> items;

                    private Iterator<Object> items() {
                        if (items == null) {
                            if (value instanceof Undefined) {
                                items = Collections.emptyIterator();
                            } else if (value instanceof Map<?, ?> map) {
                                items = new DictView(DictView.Kind.ITEMS, map).elements().iterator();
                            } else {
                                throw new PyError("Can only get item pairs from a mapping.");
                            }
                        }
                        return items;
                    }

                    @Override
                    public boolean hasNext() {
                        return items().hasNext();
                    }

                    @Override
                    public Object next() {
                        return items().next();
                    }
                });
            }
            case "join" -> {
                Object[] a = args.bind(name, "d", "", "attribute", null);
                Iterator<Object> it = Py.iterate(value);
                Function<Object, Object> get = a[1] == null ? Function.identity() : attributeGetter(a[1], null);
                StringBuilder out = new StringBuilder();
                String separator = Py.str(a[0]);
                for (boolean first = true; it.hasNext(); first = false) {
                    if (!first) {
                        out.append(separator);
                    }
                    out.append(Py.str(get.apply(it.next())));
                    Limits.checkSize(out.length());
                }
                yield out.toString();
            }
            case "list" -> {
                bind(args, name);
                yield Py.toList(value);
            }
            case "lower" -> {
                bind(args, name);
                yield PyStrings.lower(Py.str(value));
            }
            case "upper" -> {
                bind(args, name);
                yield PyStrings.upper(Py.str(value));
            }
            case "map" -> map(value, args);
            case "max", "min" -> minMax(name, value, args);
            case "select", "reject" -> select(name, value, args, false);
            case "selectattr", "rejectattr" -> select(name, value, args, true);
            case "replace" -> {
                Object[] a = args.bind(name, "old", CallArgs.REQUIRED, "new", CallArgs.REQUIRED, "count", null);
                yield PyStrings.replace(Py.str(value), Py.str(a[0]), Py.str(a[1]),
                        a[2] == null ? -1 : Py.toIndex(a[2], "count"));
            }
            case "reverse" -> {
                bind(args, name);
                if (value instanceof String s) {
                    yield new StringBuilder(s).reverse().toString();
                }
                List<Object> items = Py.toList(value);
                Collections.reverse(items);
                yield value instanceof List<?> || value instanceof PyTuple
                        ? new Generator("list_reverseiterator", items.iterator()) : items;
            }
            case "round" -> round(value, args);
            case "safe", "string" -> {
                bind(args, name);
                yield Py.str(value);
            }
            case "sort" -> {
                Object[] a = args.bind(name, "reverse", false, "case_sensitive", false, "attribute", null);
                List<Object> items = Py.toList(value);
                Function<Object, Object> key = sortKey(a[2], Py.truthy(a[1]));
                sortStable(items, key, Py.truthy(a[0]));
                yield items;
            }
            case "sum" -> {
                Object[] a = args.bind(name, "attribute", null, "start", 0L);
                Function<Object, Object> get = a[0] == null ? Function.identity() : attributeGetter(a[0], null);
                Object total = a[1];
                for (Iterator<Object> it = Py.iterate(value); it.hasNext(); ) {
                    total = Operators.binary("+", total, get.apply(it.next()));
                }
                yield total;
            }
            case "title" -> {
                bind(args, name);
                yield title(Py.str(value));
            }
            case "tojson" -> JsonDumps.tojson(value, args);
            case "trim" -> {
                Object chars = args.bind(name, "chars", null)[0];
                yield PyStrings.strip(Py.str(value), chars == null ? null : Py.str(chars), true, true);
            }
            case "unique" -> unique(value, args);
            case "wordcount" -> {
                bind(args, name);
                yield WORD.matcher(Py.str(value)).results().count();
            }
            default -> throw new PyError("no filter named '" + name + "'");
        };
    }

    private static void bind(CallArgs args, String name) {
        args.bind(name, new String[0], new Object[0]);
    }

    /** Jinja's attr filter: a Python attribute only, never a dict key. */
    private static Object attrOnly(Object value, String attribute) {
        if (value instanceof Undefined u) {
            throw u.error();
        }
        if (value instanceof Namespace || value instanceof LoopContext || Methods.has(value, attribute)) {
            return Access.getattr(value, attribute);
        }
        return Undefined.member(value, attribute);
    }

    /** Jinja's make_attrgetter: dotted path, digit parts as indexes, looked up with getitem. */
    static Function<Object, Object> attributeGetter(Object attribute, Object defaultValue) {
        List<Object> parts = new ArrayList<>();
        if (attribute instanceof String s) {
            for (String part : s.split("\\.", -1)) {
                parts.add(!part.isEmpty() && part.chars().allMatch(c -> c >= '0' && c <= '9')
                        ? (Object) Py.normalize(new BigInteger(part)) : part);
            }
        } else {
            parts.add(attribute);
        }
        return item -> {
            Object current = item;
            for (Object part : parts) {
                current = Access.getitem(current, part);
            }
            if (defaultValue != null && current instanceof Undefined) {
                return defaultValue;
            }
            return current;
        };
    }

    private static Function<Object, Object> sortKey(Object attribute, boolean caseSensitive) {
        Function<Object, Object> get = attribute == null ? Function.identity() : attributeGetter(attribute, null);
        return caseSensitive ? get : item -> {
            Object v = get.apply(item);
            return v instanceof String s ? PyStrings.lower(s) : v;
        };
    }

    private static void sortStable(List<Object> items, Function<Object, Object> key, boolean reverse) {
        Comparator<Object> order = (x, y) -> {
            int c = Py.compare(key.apply(x), key.apply(y), "<");
            return c == Integer.MIN_VALUE ? 0 : Integer.signum(c);
        };
        // Python's reverse=True keeps equal items in their original order, unlike reversing a sorted list.
        items.sort(reverse ? order.reversed() : order);
    }

    private static Object dictsort(Object value, CallArgs args) {
        Object[] a = args.bind("dictsort", "case_sensitive", false, "by", "key", "reverse", false);
        if (!(value instanceof Map<?, ?> map)) {
            throw new PyError("dictsort filter: value must be a dict, not " + Py.typeName(value));
        }
        int position = switch (Py.str(a[1])) {
            case "key" -> 0;
            case "value" -> 1;
            default -> throw new PyError("You can only sort by either 'key' or 'value'");
        };
        List<Object> items = new DictView(DictView.Kind.ITEMS, map).elements();
        boolean caseSensitive = Py.truthy(a[0]);
        sortStable(items, item -> {
            Object v = ((PyTuple) item).items().get(position);
            return !caseSensitive && v instanceof String s ? PyStrings.lower(s) : v;
        }, Py.truthy(a[2]));
        return items;
    }

    private static List<Object> reversible(Object value) {
        if (value instanceof Generator g) {
            throw new PyError("'" + g.name + "' object is not reversible");
        }
        return Py.toList(value);
    }

    private static Object minMax(String name, Object value, CallArgs args) {
        Object[] a = args.bind(name, "case_sensitive", false, "attribute", null);
        List<Object> items = Py.toList(value);
        if (items.isEmpty()) {
            return Undefined.withHint("No aggregated item, sequence was empty.");
        }
        Function<Object, Object> key = sortKey(a[1], Py.truthy(a[0]));
        Object best = items.getFirst();
        for (Object item : items.subList(1, items.size())) {
            int c = Py.compare(key.apply(item), key.apply(best), "<");
            if (c != Integer.MIN_VALUE && (name.equals("max") ? c > 0 : c < 0)) {
                best = item;
            }
        }
        return best;
    }

    private static Object map(Object value, CallArgs args) {
        Iterator<Object> source = Py.iterate(value);
        Function<Object, Object> f;
        if (args.positional().isEmpty() && args.keywords().containsKey("attribute")) {
            Map<String, Object> kw = new java.util.LinkedHashMap<>(args.keywords());
            Object attribute = kw.remove("attribute");
            Object defaultValue = kw.remove("default");
            if (!kw.isEmpty()) {
                throw new PyError("Unexpected keyword argument '" + kw.keySet().iterator().next() + "'");
            }
            f = attributeGetter(attribute, defaultValue);
        } else {
            if (args.positional().isEmpty()) {
                throw new PyError("map requires a filter argument");
            }
            String filter = Py.str(args.positional().getFirst());
            if (!exists(filter)) {
                throw new PyError("No filter named '" + filter + "'.");
            }
            CallArgs rest = new CallArgs(args.positional().subList(1, args.positional().size()), args.keywords());
            f = item -> apply(filter, item, rest);
        }
        return new Generator("generator", new Iterator<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public Object next() {
                return f.apply(source.next());
            }
        });
    }

    private static Object select(String name, Object value, CallArgs args, boolean byAttribute) {
        boolean keep = name.startsWith("select");
        List<Object> positional = args.positional();
        Function<Object, Object> get = Function.identity();
        int next = 0;
        if (byAttribute) {
            if (positional.isEmpty()) {
                throw new PyError(name + "() missing required argument 'attribute'");
            }
            get = attributeGetter(positional.getFirst(), null);
            next = 1;
        }
        Predicate<Object> test;
        if (positional.size() > next) {
            String testName = Py.str(positional.get(next));
            if (!Tests.exists(testName)) {
                throw new PyError("No test named '" + testName + "'.");
            }
            CallArgs rest = new CallArgs(positional.subList(next + 1, positional.size()), args.keywords());
            test = v -> Tests.apply(testName, v, rest);
        } else {
            test = Py::truthy;
        }
        Iterator<Object> source = Py.iterate(value);
        Function<Object, Object> getter = get;
        return new Generator("generator", filtering(source, item -> test.test(getter.apply(item)) == keep));
    }

    /** A lazy filtering iterator: the predicate runs only as items are pulled, as a Python generator. */
    static Iterator<Object> filtering(Iterator<Object> source, Predicate<Object> accept) {
        return new Iterator<>() {
            private Object pending = Scope.MISSING;

            @Override
            public boolean hasNext() {
                while (pending == Scope.MISSING && source.hasNext()) {
                    Object candidate = source.next();
                    if (accept.test(candidate)) {
                        pending = candidate;
                    }
                }
                return pending != Scope.MISSING;
            }

            @Override
            public Object next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Object out = pending;
                pending = Scope.MISSING;
                return out;
            }
        };
    }

    private static Object unique(Object value, CallArgs args) {
        Object[] a = args.bind("unique", "case_sensitive", false, "attribute", null);
        Function<Object, Object> key = sortKey(a[1], Py.truthy(a[0]));
        List<Object> seen = new ArrayList<>();
        return new Generator("generator", filtering(Py.iterate(value), item -> {
            Object k = key.apply(item);
            for (Object s : seen) {
                if (Py.eq(s, k)) {
                    return false;
                }
            }
            seen.add(k);
            return true;
        }));
    }

    private static Object batch(Object value, CallArgs args) {
        Object[] a = args.bind("batch", "linecount", CallArgs.REQUIRED, "fill_with", null);
        int size = Py.toIndex(a[0], "linecount");
        if (size <= 0) {
            throw new PyError("batch size must be positive");
        }
        List<Object> items = Py.toList(value);
        List<Object> batches = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) {
            List<Object> batch = new ArrayList<>(items.subList(i, Math.min(items.size(), i + size)));
            if (batch.size() < size && a[1] != null) {
                while (batch.size() < size) {
                    batch.add(a[1]);
                }
            }
            batches.add(batch);
        }
        return new Generator("generator", batches.iterator());
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&#34;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder();
        var m = WORD_BEGINNING.matcher(s);
        int last = 0;
        while (m.find()) {
            titleWord(s.substring(last, m.start()), out);
            titleWord(m.group(), out);
            last = m.end();
        }
        titleWord(s.substring(last), out);
        return out.toString();
    }

    private static void titleWord(String item, StringBuilder out) {
        if (!item.isEmpty()) {
            int first = item.codePointAt(0);
            int width = Character.charCount(first);
            out.append(PyStrings.upper(item.substring(0, width))).append(PyStrings.lower(item.substring(width)));
        }
    }

    private static String indent(Object value, CallArgs args) {
        Object[] a = args.bind("indent", "width", 4L, "first", false, "blank", false);
        String indentation = a[0] instanceof String s ? s : " ".repeat(Math.max(0, Py.toIndex(a[0], "width")));
        String s = Py.str(value) + "\n";
        List<Object> lines = PyStrings.splitLines(s, false);
        StringBuilder out = new StringBuilder();
        if (Py.truthy(a[2])) {
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) {
                    out.append('\n').append(indentation);
                }
                out.append(lines.get(i));
            }
        } else {
            out.append(lines.getFirst());
            for (Object line : lines.subList(1, lines.size())) {
                out.append('\n');
                if (!((String) line).isEmpty()) {
                    out.append(indentation);
                }
                out.append(line);
            }
        }
        return Py.truthy(a[1]) ? indentation + out : out.toString();
    }

    private static Object round(Object value, CallArgs args) {
        Object[] a = args.bind("round", "precision", 0L, "method", "common");
        int precision = Py.toIndex(a[0], "precision");
        String method = Py.str(a[1]);
        if (!Set.of("common", "ceil", "floor").contains(method)) {
            throw new PyError("method must be common, ceil or floor");
        }
        if (value instanceof Undefined u) {
            throw u.error();
        }
        if (!Py.isNumber(value)) {
            throw new PyError("type " + Py.typeName(value) + " doesn't define __round__ method");
        }
        if (method.equals("common")) {
            if (!Py.isFloat(value)) {
                return Py.normalize(Py.bigInt(value)); // Python's round(int, n) stays an int
            }
            double d = Py.toDouble(value);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return d;
            }
            return new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).doubleValue();
        }
        double scale = Math.pow(10, precision);
        double scaled = Py.toDouble(value) * scale;
        return (method.equals("ceil") ? Math.ceil(scaled) : Math.floor(scaled)) / scale;
    }

    private static Object toInt(Object value, Object defaultValue, int base) {
        if (value instanceof String s) {
            String t = s.strip().replace("_", "");
            try {
                return Py.normalize(new BigInteger(t.startsWith("+") ? t.substring(1) : t, base));
            } catch (NumberFormatException e) {
                try {
                    return Py.normalize(new BigDecimal(Double.parseDouble(PyStrings.strip(s, null, true, true)))
                            .toBigInteger());
                } catch (NumberFormatException | ArithmeticException e2) {
                    return defaultValue;
                }
            }
        }
        if (Py.isFloat(value)) {
            double d = Py.toDouble(value);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new PyError("cannot convert float " + PyFloat.repr(d) + " to integer");
            }
            return Py.normalize(new BigDecimal(d).toBigInteger());
        }
        if (Py.isNumber(value)) {
            return Py.normalize(Py.bigInt(value));
        }
        return defaultValue;
    }

    private static Object toFloat(Object value, Object defaultValue) {
        if (value instanceof String s) {
            String t = PyStrings.strip(s, null, true, true).replace("_", "").toLowerCase(java.util.Locale.ROOT);
            switch (t) {
                case "inf", "+inf", "infinity", "+infinity" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-inf", "-infinity" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                case "nan", "+nan", "-nan" -> {
                    return Double.NaN;
                }
                default -> {
                }
            }
            if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
                return defaultValue;
            }
            return Double.parseDouble(t);
        }
        if (Py.isNumber(value)) {
            return Py.toDouble(value);
        }
        return defaultValue;
    }
}
