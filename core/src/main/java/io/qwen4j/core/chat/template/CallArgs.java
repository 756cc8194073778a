package io.qwen4j.core.chat.template;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluated call arguments: positional values and keyword values in call order. */
record CallArgs(List<Object> positional, Map<String, Object> keywords) {
    /** Marks a parameter without a default. */
    static final Object REQUIRED = new Object();

    static final CallArgs NONE = new CallArgs(List.of(), Map.of());

    CallArgs {
        positional = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(positional));
        keywords = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keywords));
    }

    static CallArgs of(Object... values) {
        return new CallArgs(Arrays.asList(values), Map.of());
    }

    /**
     * Binds the arguments to a Python signature {@code names} with {@code defaults}
     * ({@link #REQUIRED} where a parameter has none), as Python does for a plain function.
     */
    Object[] bind(String function, String[] names, Object[] defaults) {
        if (positional.size() > names.length) {
            throw new PyError(function + "() takes at most " + names.length + " argument(s) ("
                    + positional.size() + " given)");
        }
        Object[] bound = new Object[names.length];
        boolean[] set = new boolean[names.length];
        for (int i = 0; i < positional.size(); i++) {
            bound[i] = positional.get(i);
            set[i] = true;
        }
        for (Map.Entry<String, Object> kw : keywords.entrySet()) {
            int index = Arrays.asList(names).indexOf(kw.getKey());
            if (index < 0) {
                throw new PyError(function + "() got an unexpected keyword argument '" + kw.getKey() + "'");
            }
            if (set[index]) {
                throw new PyError(function + "() got multiple values for argument '" + kw.getKey() + "'");
            }
            bound[index] = kw.getValue();
            set[index] = true;
        }
        for (int i = 0; i < names.length; i++) {
            if (!set[i]) {
                if (defaults[i] == REQUIRED) {
                    throw new PyError(function + "() missing required argument '" + names[i] + "'");
                }
                bound[i] = defaults[i];
            }
        }
        return bound;
    }

    /** Binds to parameters that all have defaults (or are required where the default is {@link #REQUIRED}). */
    Object[] bind(String function, Object... namesAndDefaults) {
        int n = namesAndDefaults.length / 2;
        String[] names = new String[n];
        Object[] defaults = new Object[n];
        for (int i = 0; i < n; i++) {
            names[i] = (String) namesAndDefaults[2 * i];
            defaults[i] = namesAndDefaults[2 * i + 1];
        }
        return bind(function, names, defaults);
    }
}
