package io.qwen4j.core.chat.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The live views {@code dict.items()}, {@code keys()} and {@code values()}. */
record DictView(Kind kind, Map<?, ?> map) {
    enum Kind { ITEMS, KEYS, VALUES }

    List<Object> elements() {
        List<Object> out = new ArrayList<>(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
            out.add(switch (kind) {
                case ITEMS -> PyTuple.of(e.getKey(), e.getValue());
                case KEYS -> e.getKey();
                case VALUES -> e.getValue();
            });
        }
        return out;
    }

    String typeName() {
        return "dict_" + kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
