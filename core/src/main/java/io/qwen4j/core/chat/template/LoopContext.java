package io.qwen4j.core.chat.template;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The {@code loop} variable. Items are pulled lazily, one ahead only when {@code last}/{@code nextitem}
 * need it and all at once when {@code length}/{@code revindex} do, as Jinja's LoopContext.
 */
final class LoopContext {
    private final Iterator<Object> source;
    private final List<Object> lookahead = new ArrayList<>();
    private int index0 = -1;
    private Object current = Scope.MISSING;
    private Object previous = Scope.MISSING;
    private Object lastChanged = Scope.MISSING;

    LoopContext(Iterator<Object> source) {
        this.source = source;
    }

    boolean advance() {
        if (!hasNext()) {
            return false;
        }
        previous = current;
        current = lookahead.isEmpty() ? source.next() : lookahead.removeFirst();
        index0++;
        return true;
    }

    Object current() {
        return current;
    }

    private boolean hasNext() {
        return !lookahead.isEmpty() || source.hasNext();
    }

    private int length() {
        source.forEachRemaining(lookahead::add);
        return index0 + 1 + lookahead.size();
    }

    /** The value of {@code loop.<name>}, or Undefined for an unknown attribute. */
    Object attribute(String name) {
        return switch (name) {
            case "index0" -> (long) index0;
            case "index" -> (long) index0 + 1;
            case "first" -> index0 == 0;
            case "last" -> !hasNext();
            case "length" -> (long) length();
            case "revindex" -> (long) length() - index0;
            case "revindex0" -> (long) length() - index0 - 1;
            case "depth" -> 1L;
            case "depth0" -> 0L;
            case "previtem" -> previous == Scope.MISSING
                    ? Undefined.withHint("there is no previous item") : previous;
            case "nextitem" -> {
                if (!hasNext()) {
                    yield Undefined.withHint("there is no next item");
                }
                if (lookahead.isEmpty()) {
                    lookahead.add(source.next());
                }
                yield lookahead.getFirst();
            }
            case "cycle" -> new GlobalFunction("cycle", this::cycle);
            case "changed" -> new GlobalFunction("changed", this::changed);
            default -> Undefined.member(this, name);
        };
    }

    private Object cycle(CallArgs args) {
        if (!args.keywords().isEmpty()) {
            throw new PyError("cycle() takes no keyword arguments");
        }
        if (args.positional().isEmpty()) {
            throw new PyError("no items for cycling given");
        }
        return args.positional().get(index0 % args.positional().size());
    }

    private Object changed(CallArgs args) {
        Object value = new PyTuple(args.positional());
        if (lastChanged != Scope.MISSING && Py.eq(lastChanged, value)) {
            return false;
        }
        lastChanged = value;
        return true;
    }

    @Override
    public String toString() {
        return "<LoopContext " + (index0 + 1) + "/" + length() + ">";
    }
}
