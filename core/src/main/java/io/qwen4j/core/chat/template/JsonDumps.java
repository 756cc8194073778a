package io.qwen4j.core.chat.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} as Hugging Face's tojson filter calls it: insertion order, raw non-ASCII
 * (unless ensure_ascii), no HTML escaping, floats as Python repr, separators ", " and ": " by default.
 */
final class JsonDumps {
    private static final int MAX_DEPTH = 500;

    private final boolean ensureAscii;
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;

    JsonDumps(boolean ensureAscii, String indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.sortKeys = sortKeys;
    }

    /** Hugging Face's tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False). */
    static String tojson(Object value, CallArgs args) {
        Object[] a = args.bind("tojson", "ensure_ascii", false, "indent", null, "separators", null,
                "sort_keys", false);
        String indent = switch (a[1]) {
            case null -> null;
            case String s -> s;
            case Object o when Py.isInt(o) -> " ".repeat(Math.max(0, Py.toIndex(o, "indent")));
            default -> throw new PyError("indent must be None, an int or a str, not " + Py.typeName(a[1]));
        };
        String itemSeparator = indent == null ? ", " : ",";
        String keySeparator = ": ";
        if (a[2] != null) {
            List<Object> parts = Py.toList(a[2]);
            if (parts.size() != 2 || !(parts.get(0) instanceof String) || !(parts.get(1) instanceof String)) {
                throw new PyError("separators must be a pair of strings (item_separator, key_separator)");
            }
            itemSeparator = (String) parts.get(0);
            keySeparator = (String) parts.get(1);
        }
        StringBuilder out = new StringBuilder();
        new JsonDumps(Py.truthy(a[0]), indent, itemSeparator, keySeparator, Py.truthy(a[3])).write(value, out, 0);
        return out.toString();
    }

    void write(Object value, StringBuilder out, int depth) {
        if (depth > MAX_DEPTH) {
            throw new PyError("maximum recursion depth exceeded while encoding a JSON object");
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (Py.isInt(value)) {
            out.append(value);
        } else if (Py.isFloat(value)) {
            out.append(PyFloat.json(Py.toDouble(value)));
        } else if (value instanceof String s) {
            string(s, out);
        } else if (value instanceof List<?> || value instanceof PyTuple) {
            List<?> items = value instanceof PyTuple t ? t.items() : (List<?>) value;
            array(items, out, depth);
        } else if (value instanceof Map<?, ?> map) {
            object(map, out, depth);
        } else {
            throw new PyError("Object of type " + Py.typeName(value) + " is not JSON serializable");
        }
    }

    private void newline(StringBuilder out, int depth) {
        out.append('\n').append(indent.repeat(depth));
    }

    private void array(List<?> items, StringBuilder out, int depth) {
        if (items.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(itemSeparator);
            }
            if (indent != null) {
                newline(out, depth + 1);
            }
            write(items.get(i), out, depth + 1);
        }
        if (indent != null) {
            newline(out, depth);
        }
        out.append(']');
    }

    private void object(Map<?, ?> map, StringBuilder out, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
        if (sortKeys) {
            entries.sort((x, y) -> {
                int c = Py.compare(x.getKey(), y.getKey(), "<");
                return c == Integer.MIN_VALUE ? 0 : c;
            });
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : entries) {
            if (!first) {
                out.append(itemSeparator);
            }
            first = false;
            if (indent != null) {
                newline(out, depth + 1);
            }
            string(key(e.getKey()), out);
            out.append(keySeparator);
            write(e.getValue(), out, depth + 1);
        }
        if (indent != null) {
            newline(out, depth);
        }
        out.append('}');
    }

    private static String key(Object key) {
        if (key instanceof String s) {
            return s;
        }
        if (key == null) {
            return "null";
        }
        if (key instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (Py.isInt(key)) {
            return key.toString();
        }
        if (Py.isFloat(key)) {
            return PyFloat.json(Py.toDouble(key));
        }
        throw new PyError("keys must be str, int, float, bool or None, not " + Py.typeName(key));
    }

    private void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
