package io.qwen4j.core.chat.template;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The functions every template sees: Jinja's range/dict/namespace and Hugging Face's raise_exception/strftime_now. */
final class Globals {
    private Globals() {
    }

    static Scope scope(Clock clock) {
        Scope globals = new Scope(null);
        globals.set("range", new GlobalFunction("range", Globals::range));
        globals.set("dict", new GlobalFunction("dict", Globals::dict));
        globals.set("namespace", new GlobalFunction("namespace", Globals::namespace));
        globals.set("raise_exception", new GlobalFunction("raise_exception", args -> {
            Object message = args.bind("raise_exception", "message", CallArgs.REQUIRED)[0];
            throw new RaisedError(Py.str(message));
        }));
        globals.set("strftime_now", new GlobalFunction("strftime_now", args -> {
            Object format = args.bind("strftime_now", "format", CallArgs.REQUIRED)[0];
            return Strftime.format(Py.str(format), java.time.ZonedDateTime.now(clock));
        }));
        return globals;
    }

    private static Object range(CallArgs args) {
        if (!args.keywords().isEmpty()) {
            throw new PyError("range() takes no keyword arguments");
        }
        List<Object> p = args.positional();
        if (p.isEmpty() || p.size() > 3) {
            throw new PyError("range expected 1 to 3 arguments, got " + p.size());
        }
        long start = p.size() == 1 ? 0 : Py.toIndex(p.get(0), "range() argument");
        long stop = Py.toIndex(p.get(p.size() == 1 ? 0 : 1), "range() argument");
        long step = p.size() == 3 ? Py.toIndex(p.get(2), "range() argument") : 1;
        if (step == 0) {
            throw new PyError("range() arg 3 must not be zero");
        }
        long count = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1) / -step);
        if (count > Limits.MAX_RANGE) {
            throw new PyError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + Limits.MAX_RANGE + ").");
        }
        List<Object> out = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            out.add(start + i * step);
        }
        return out;
    }

    private static Object dict(CallArgs args) {
        if (args.positional().size() > 1) {
            throw new PyError("dict expected at most 1 argument, got " + args.positional().size());
        }
        Map<Object, Object> out = new LinkedHashMap<>();
        if (!args.positional().isEmpty()) {
            fill(out, args.positional().getFirst());
        }
        out.putAll(args.keywords());
        return out;
    }

    private static void fill(Map<Object, Object> out, Object source) {
        if (source instanceof Map<?, ?> map) {
            out.putAll(map);
            return;
        }
        for (Object pair : Py.toList(source)) {
            List<Object> kv = Py.toList(pair);
            if (kv.size() != 2) {
                throw new PyError("dictionary update sequence element has length " + kv.size() + "; 2 is required");
            }
            out.put(kv.get(0), kv.get(1));
        }
    }

    private static Object namespace(CallArgs args) {
        Namespace ns = new Namespace();
        Map<Object, Object> initial = new LinkedHashMap<>();
        if (args.positional().size() > 1) {
            throw new PyError("namespace expected at most 1 positional argument");
        }
        if (!args.positional().isEmpty()) {
            fill(initial, args.positional().getFirst());
        }
        initial.forEach((k, v) -> ns.attributes.put(Py.str(k), v));
        ns.attributes.putAll(args.keywords());
        return ns;
    }
}
