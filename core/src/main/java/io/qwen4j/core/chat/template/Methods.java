package io.qwen4j.core.chat.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Python methods of str, list, tuple and dict that templates call, e.g. {@code content.split('</think>')}. */
final class Methods {
    private static final Set<String> STR = Set.of("capitalize", "casefold", "center", "count", "encode",
            "endswith", "expandtabs", "find", "format", "format_map", "index", "isalnum", "isalpha", "isascii",
            "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle",
            "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition", "removeprefix",
            "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split",
            "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill");
    private static final Set<String> LIST = Set.of("append", "clear", "copy", "count", "extend", "index", "insert",
            "pop", "remove", "reverse", "sort");
    private static final Set<String> LIST_MUTATING = Set.of("append", "clear", "extend", "insert", "pop", "remove",
            "reverse", "sort");
    private static final Set<String> TUPLE = Set.of("count", "index");
    private static final Set<String> DICT = Set.of("clear", "copy", "fromkeys", "get", "items", "keys", "pop",
            "popitem", "setdefault", "update", "values");
    private static final Set<String> DICT_MUTATING = Set.of("clear", "pop", "popitem", "setdefault", "update");

    private Methods() {
    }

    static boolean has(Object obj, String name) {
        return switch (obj) {
            case String s -> STR.contains(name);
            case List<?> l -> LIST.contains(name);
            case PyTuple t -> TUPLE.contains(name);
            case Map<?, ?> m -> DICT.contains(name);
            case null, default -> false;
        };
    }

    static boolean isMutating(Object obj, String name) {
        return (obj instanceof List<?> && LIST_MUTATING.contains(name))
                || (obj instanceof Map<?, ?> && DICT_MUTATING.contains(name));
    }

    static Object call(Object receiver, String name, CallArgs args) {
        return switch (receiver) {
            case String s -> stringMethod(s, name, args);
            case List<?> l -> sequenceMethod(new ArrayList<Object>(l), name, args, false);
            case PyTuple t -> sequenceMethod(t.items(), name, args, true);
            case Map<?, ?> m -> dictMethod(m, name, args);
            default -> throw new PyError("'" + Py.typeName(receiver) + "' object has no method '" + name + "'");
        };
    }

    private static String str(Object o, String function) {
        if (o instanceof String s) {
            return s;
        }
        throw new PyError(function + "() argument must be str, not " + Py.typeName(o));
    }

    private static String optionalStr(Object o, String function) {
        return o == null ? null : str(o, function);
    }

    private static Object stringMethod(String s, String name, CallArgs args) {
        return switch (name) {
            case "startswith", "endswith" -> {
                Object[] a = args.bind(name, "prefix", CallArgs.REQUIRED, "start", null, "end", null);
                String part = window(s, a[1], a[2]);
                List<Object> options = a[0] instanceof PyTuple t ? t.items() : List.of(a[0]);
                boolean found = false;
                for (Object option : options) {
                    String text = str(option, name);
                    found |= name.equals("startswith") ? part.startsWith(text) : part.endsWith(text);
                }
                yield found;
            }
            case "strip", "lstrip", "rstrip" -> {
                String chars = optionalStr(args.bind(name, "chars", null)[0], name);
                yield PyStrings.strip(s, chars, !name.equals("rstrip"), !name.equals("lstrip"));
            }
            case "split", "rsplit" -> {
                Object[] a = args.bind(name, "sep", null, "maxsplit", -1L);
                String sep = optionalStr(a[0], name);
                int max = Py.toIndex(a[1], "maxsplit");
                yield name.equals("split") ? PyStrings.split(s, sep, max) : PyStrings.rsplit(s, sep, max);
            }
            case "splitlines" -> PyStrings.splitLines(s, Py.truthy(args.bind(name, "keepends", false)[0]));
            case "replace" -> {
                Object[] a = args.bind(name, "old", CallArgs.REQUIRED, "new", CallArgs.REQUIRED, "count", -1L);
                yield PyStrings.replace(s, str(a[0], name), str(a[1], name), Py.toIndex(a[2], "count"));
            }
            case "upper" -> noArgs(args, name, PyStrings.upper(s));
            case "lower", "casefold" -> noArgs(args, name, PyStrings.lower(s));
            case "title" -> noArgs(args, name, PyStrings.title(s));
            case "capitalize" -> noArgs(args, name, PyStrings.capitalize(s));
            case "swapcase" -> noArgs(args, name, PyStrings.swapCase(s));
            case "find", "rfind", "index", "rindex" -> {
                Object[] a = args.bind(name, "sub", CallArgs.REQUIRED, "start", null, "end", null);
                long found = find(s, str(a[0], name), a[1], a[2], name.startsWith("r"));
                if (found < 0 && name.endsWith("index")) {
                    throw new PyError("substring not found");
                }
                yield found;
            }
            case "count" -> {
                Object[] a = args.bind(name, "sub", CallArgs.REQUIRED, "start", null, "end", null);
                yield (long) PyStrings.count(window(s, a[1], a[2]), str(a[0], name));
            }
            case "join" -> {
                Object[] a = args.bind(name, "iterable", CallArgs.REQUIRED);
                StringBuilder out = new StringBuilder();
                boolean first = true;
                for (var it = Py.iterate(a[0]); it.hasNext(); ) {
                    Object item = it.next();
                    if (!(item instanceof String text)) {
                        throw new PyError("sequence item: expected str instance, " + Py.typeName(item) + " found");
                    }
                    if (!first) {
                        out.append(s);
                    }
                    first = false;
                    out.append(text);
                }
                yield out.toString();
            }
            case "removeprefix" -> {
                String prefix = str(args.bind(name, "prefix", CallArgs.REQUIRED)[0], name);
                yield s.startsWith(prefix) ? s.substring(prefix.length()) : s;
            }
            case "removesuffix" -> {
                String suffix = str(args.bind(name, "suffix", CallArgs.REQUIRED)[0], name);
                yield !suffix.isEmpty() && s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
            }
            case "partition", "rpartition" -> {
                String sep = str(args.bind(name, "sep", CallArgs.REQUIRED)[0], name);
                if (sep.isEmpty()) {
                    throw new PyError("empty separator");
                }
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) {
                    yield name.equals("partition") ? PyTuple.of(s, "", "") : PyTuple.of("", "", s);
                }
                yield PyTuple.of(s.substring(0, at), sep, s.substring(at + sep.length()));
            }
            case "center", "ljust", "rjust" -> {
                Object[] a = args.bind(name, "width", CallArgs.REQUIRED, "fillchar", " ");
                yield pad(s, Py.toIndex(a[0], "width"), str(a[1], name), name);
            }
            case "zfill" -> {
                int width = Py.toIndex(args.bind(name, "width", CallArgs.REQUIRED)[0], "width");
                int missing = width - PyStrings.length(s);
                if (missing <= 0) {
                    yield s;
                }
                boolean signed = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-');
                yield signed ? s.charAt(0) + "0".repeat(missing) + s.substring(1) : "0".repeat(missing) + s;
            }
            case "isdigit", "isdecimal", "isnumeric" -> noArgs(args, name,
                    !s.isEmpty() && s.codePoints().allMatch(Character::isDigit));
            case "isalpha" -> noArgs(args, name, !s.isEmpty() && s.codePoints().allMatch(Character::isLetter));
            case "isalnum" -> noArgs(args, name, !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit));
            case "isspace" -> noArgs(args, name, !s.isEmpty() && s.codePoints().allMatch(PyStrings::isSpace));
            case "isascii" -> noArgs(args, name, s.chars().allMatch(c -> c < 0x80));
            case "islower" -> noArgs(args, name, hasCased(s) && s.equals(PyStrings.lower(s)));
            case "isupper" -> noArgs(args, name, hasCased(s) && s.equals(PyStrings.upper(s)));
            case "format" -> StringFormat.format(s, args);
            default -> throw new PyError("unsupported construct: str." + name + "() is not available in this engine");
        };
    }

    private static boolean hasCased(String s) {
        return s.codePoints().anyMatch(c -> Character.isUpperCase(c) || Character.isLowerCase(c)
                || Character.isTitleCase(c));
    }

    private static Object noArgs(CallArgs args, String name, Object result) {
        args.bind(name, new String[0], new Object[0]);
        return result;
    }

    private static String pad(String s, int width, String fill, String how) {
        if (PyStrings.length(fill) != 1) {
            throw new PyError("The fill character must be exactly one character long");
        }
        int missing = width - PyStrings.length(s);
        if (missing <= 0) {
            return s;
        }
        int left = switch (how) {
            case "ljust" -> 0;
            case "rjust" -> missing;
            default -> missing / 2 + (missing & width & 1);
        };
        return fill.repeat(left) + s + fill.repeat(missing - left);
    }

    /** The code point window s[start:end] for methods that take optional start/end. */
    private static String window(String s, Object start, Object end) {
        if (start == null && end == null) {
            return s;
        }
        int[] bounds = bounds(s, start, end);
        return PyStrings.substring(s, bounds[0], bounds[1]);
    }

    private static int[] bounds(String s, Object start, Object end) {
        int n = PyStrings.length(s);
        int from = start == null ? 0 : clamp(Py.toIndex(start, "start"), n);
        int to = end == null ? n : clamp(Py.toIndex(end, "end"), n);
        return new int[] {from, Math.max(from, to)};
    }

    private static int clamp(int i, int n) {
        if (i < 0) {
            i = Math.max(0, i + n);
        }
        return Math.min(i, n);
    }

    private static long find(String s, String sub, Object start, Object end, boolean fromRight) {
        int[] b = bounds(s, start, end);
        String part = PyStrings.substring(s, b[0], b[1]);
        int at = fromRight ? part.lastIndexOf(sub) : part.indexOf(sub);
        return at < 0 ? -1 : b[0] + part.codePointCount(0, at);
    }

    private static Object sequenceMethod(List<Object> items, String name, CallArgs args, boolean tuple) {
        return switch (name) {
            case "count" -> {
                Object x = args.bind(name, "value", CallArgs.REQUIRED)[0];
                yield items.stream().filter(item -> Py.eq(item, x)).count();
            }
            case "index" -> {
                Object x = args.bind(name, "value", CallArgs.REQUIRED)[0];
                for (int i = 0; i < items.size(); i++) {
                    if (Py.eq(items.get(i), x)) {
                        yield (long) i;
                    }
                }
                throw new PyError(Py.repr(x) + " is not in " + (tuple ? "tuple" : "list"));
            }
            case "copy" -> noArgs(args, name, new ArrayList<>(items));
            default -> throw new PyError("unsupported construct: list." + name + "()");
        };
    }

    private static Object dictMethod(Map<?, ?> map, String name, CallArgs args) {
        return switch (name) {
            case "items" -> noArgs(args, name, new DictView(DictView.Kind.ITEMS, map));
            case "keys" -> noArgs(args, name, new DictView(DictView.Kind.KEYS, map));
            case "values" -> noArgs(args, name, new DictView(DictView.Kind.VALUES, map));
            case "get" -> {
                Object[] a = args.bind(name, "key", CallArgs.REQUIRED, "default", null);
                Object value = Py.lookup(map, a[0]);
                yield value == Scope.MISSING ? a[1] : value;
            }
            case "copy" -> noArgs(args, name, new LinkedHashMap<>(map));
            default -> throw new PyError("unsupported construct: dict." + name + "()");
        };
    }
}
