package io.qwen4j.core.chat.template;

/** Python's str.format for plain fields: {@code {}}, {@code {0}}, {@code {name}}, with !s/!r and no format spec. */
final class StringFormat {
    private StringFormat() {
    }

    static String format(String pattern, CallArgs args) {
        StringBuilder out = new StringBuilder();
        int automatic = 0;
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '}') {
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '}') {
                    out.append('}');
                    i += 2;
                    continue;
                }
                throw new PyError("Single '}' encountered in format string");
            }
            if (c != '{') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '{') {
                out.append('{');
                i += 2;
                continue;
            }
            int close = pattern.indexOf('}', i);
            if (close < 0) {
                throw new PyError("Single '{' encountered in format string");
            }
            String field = pattern.substring(i + 1, close);
            String conversion = "s";
            int bang = field.indexOf('!');
            if (field.contains(":")) {
                throw new PyError("unsupported construct: format specifications in str.format ('" + field + "')");
            }
            if (bang >= 0) {
                conversion = field.substring(bang + 1);
                field = field.substring(0, bang);
            }
            Object value;
            if (field.isEmpty()) {
                value = positional(args, automatic++);
            } else if (field.chars().allMatch(Character::isDigit)) {
                value = positional(args, Integer.parseInt(field));
            } else if (args.keywords().containsKey(field)) {
                value = args.keywords().get(field);
            } else {
                throw new PyError("KeyError: '" + field + "'");
            }
            out.append(switch (conversion) {
                case "s" -> Py.str(value);
                case "r" -> Py.repr(value);
                default -> throw new PyError("Unknown conversion specifier " + conversion);
            });
            i = close + 1;
        }
        return out.toString();
    }

    private static Object positional(CallArgs args, int index) {
        if (index >= args.positional().size()) {
            throw new PyError("Replacement index " + index + " out of range for positional args tuple");
        }
        return args.positional().get(index);
    }
}
