package io.qwen4j.core.chat.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@code {% macro %}} bound to the scope it was defined in; calling it renders its body to a string. */
final class Macro implements PyCallable {
    private final Node.MacroDef definition;
    private final Scope closure;
    private final Interpreter interpreter;

    Macro(Node.MacroDef definition, Scope closure, Interpreter interpreter) {
        this.definition = definition;
        this.closure = closure;
        this.interpreter = interpreter;
    }

    @Override
    public Object call(CallArgs args) {
        String name = definition.name();
        List<String> parameters = definition.parameters();
        if (args.positional().size() > parameters.size() && !definition.catchVarargs()) {
            throw new PyError("macro '" + name + "' takes not more than " + parameters.size() + " argument(s)");
        }
        Scope scope = closure.child();
        Map<String, Object> extraKeywords = new LinkedHashMap<>();
        Map<String, Object> keywords = new LinkedHashMap<>(args.keywords());
        for (int i = 0; i < parameters.size(); i++) {
            String parameter = parameters.get(i);
            if (i < args.positional().size()) {
                if (keywords.containsKey(parameter)) {
                    throw new PyError("macro '" + name + "' got multiple values for argument '" + parameter + "'");
                }
                scope.set(parameter, args.positional().get(i));
            } else if (keywords.containsKey(parameter)) {
                scope.set(parameter, keywords.remove(parameter));
            } else if (definition.defaults().get(i) != null) {
                scope.set(parameter, interpreter.evaluate(definition.defaults().get(i), scope));
            } else {
                scope.set(parameter, Undefined.withHint("parameter '" + parameter + "' was not provided"));
            }
        }
        extraKeywords.putAll(keywords);
        if (!extraKeywords.isEmpty() && !definition.catchKwargs()) {
            throw new PyError("macro '" + name + "' takes no keyword argument '" + extraKeywords.keySet().iterator().next()
                    + "'");
        }
        List<Object> varargs = args.positional().size() > parameters.size()
                ? new ArrayList<>(args.positional().subList(parameters.size(), args.positional().size()))
                : List.of();
        if (definition.catchVarargs()) {
            scope.set("varargs", new PyTuple(varargs));
        }
        if (definition.catchKwargs()) {
            scope.set("kwargs", extraKeywords);
        }
        return interpreter.renderMacro(definition, scope);
    }

    @Override
    public String toString() {
        return "<Macro '" + definition.name() + "'>";
    }
}
