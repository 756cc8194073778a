package io.qwen4j.core.chat.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Jinja's sandboxed attribute and item lookup: {@code a.b} tries the attribute first, {@code a[b]} the item. */
final class Access {
    private Access() {
    }

    /** {@code obj.name}. */
    static Object getattr(Object obj, String name) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        Object attribute = attribute(obj, name);
        if (attribute != Scope.MISSING) {
            return attribute;
        }
        Object item = item(obj, name);
        return item != Scope.MISSING ? item : Undefined.member(obj, name);
    }

    /** {@code obj[key]}. */
    static Object getitem(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        Object item = item(obj, key);
        if (item != Scope.MISSING) {
            return item;
        }
        if (key instanceof String name) {
            Object attribute = attribute(obj, name);
            if (attribute != Scope.MISSING) {
                return attribute;
            }
        }
        return Undefined.member(obj, key);
    }

    /** The Python attribute {@code name} of {@code obj}, or MISSING. Mutating methods are unsafe in the sandbox. */
    private static Object attribute(Object obj, String name) {
        if (obj instanceof Namespace ns) {
            return ns.attributes.getOrDefault(name, Scope.MISSING);
        }
        if (obj instanceof LoopContext loop) {
            Object value = loop.attribute(name);
            return value instanceof Undefined ? Scope.MISSING : value;
        }
        if (!Methods.has(obj, name)) {
            return Scope.MISSING;
        }
        if (Methods.isMutating(obj, name)) {
            return Undefined.withHint("access to attribute '" + name + "' of '" + Py.typeName(obj)
                    + "' object is unsafe.");
        }
        return new BoundMethod(obj, name);
    }

    /** {@code obj[key]} as Python does it, or MISSING where Python raises LookupError or TypeError. */
    private static Object item(Object obj, Object key) {
        switch (obj) {
            case Map<?, ?> map -> {
                return Py.lookup(map, key);
            }
            case List<?> list -> {
                return sequenceItem(list, key);
            }
            case PyTuple tuple -> {
                Object result = sequenceItem(tuple.items(), key);
                return result instanceof List<?> l && key instanceof PySlice ? new PyTuple(new ArrayList<>(l)) : result;
            }
            case String s -> {
                if (key instanceof PySlice slice) {
                    return sliceString(s, slice);
                }
                if (!isIndex(key)) {
                    return Scope.MISSING;
                }
                int n = PyStrings.length(s);
                int i = normalizeIndex(key, n);
                return i < 0 ? Scope.MISSING : PyStrings.substring(s, i, i + 1);
            }
            case null, default -> {
                return Scope.MISSING;
            }
        }
    }

    private static boolean isIndex(Object key) {
        return Py.isInt(key) || key instanceof Boolean;
    }

    private static int normalizeIndex(Object key, int size) {
        long i = Py.bigInt(key).max(java.math.BigInteger.valueOf(Long.MIN_VALUE / 2))
                .min(java.math.BigInteger.valueOf(Long.MAX_VALUE / 2)).longValue();
        if (i < 0) {
            i += size;
        }
        return i < 0 || i >= size ? -1 : (int) i;
    }

    private static Object sequenceItem(List<?> list, Object key) {
        if (key instanceof PySlice slice) {
            List<Object> out = new ArrayList<>();
            for (int i : sliceIndexes(slice, list.size())) {
                out.add(list.get(i));
            }
            return out;
        }
        if (!isIndex(key)) {
            return Scope.MISSING;
        }
        int i = normalizeIndex(key, list.size());
        return i < 0 ? Scope.MISSING : list.get(i);
    }

    private static String sliceString(String s, PySlice slice) {
        List<Object> chars = PyStrings.characters(s);
        StringBuilder out = new StringBuilder();
        for (int i : sliceIndexes(slice, chars.size())) {
            out.append((String) chars.get(i));
        }
        return out.toString();
    }

    /** The indexes Python's slice.indices(size) walks. */
    static int[] sliceIndexes(PySlice slice, int size) {
        long step = slice.step() == null ? 1 : sliceBound(slice.step());
        if (step == 0) {
            throw new PyError("slice step cannot be zero");
        }
        long start;
        long stop;
        if (step > 0) {
            start = slice.start() == null ? 0 : clamp(sliceBound(slice.start()), size, 0, size);
            stop = slice.stop() == null ? size : clamp(sliceBound(slice.stop()), size, 0, size);
        } else {
            start = slice.start() == null ? size - 1 : clamp(sliceBound(slice.start()), size, -1, size - 1);
            stop = slice.stop() == null ? -1 : clamp(sliceBound(slice.stop()), size, -1, size - 1);
        }
        int count = step > 0 ? (int) Math.max(0, (stop - start + step - 1) / step)
                : (int) Math.max(0, (start - stop - step - 1) / -step);
        int[] out = new int[count];
        for (int k = 0; k < count; k++) {
            out[k] = (int) (start + k * step);
        }
        return out;
    }

    private static long sliceBound(Object o) {
        if (!isIndex(o)) {
            throw new PyError("slice indices must be integers or None, not " + Py.typeName(o));
        }
        java.math.BigInteger b = Py.bigInt(o);
        return b.max(java.math.BigInteger.valueOf(Integer.MIN_VALUE)).min(java.math.BigInteger.valueOf(Integer.MAX_VALUE))
                .longValue();
    }

    private static long clamp(long index, int size, long low, long high) {
        if (index < 0) {
            index += size;
        }
        return Math.max(low, Math.min(high, index));
    }
}
