package io.qwen4j.core.constrain;

import java.util.ArrayList;
import java.util.List;

/**
 * Converts a JSON Schema {@code pattern} (an ECMA-262 regular expression) to GBNF for the inside of a JSON string:
 * the characters the regex matches, written as JSON writes them ({@code "} and {@code \} and control characters
 * escaped). Supported: literals and escapes, {@code .}, classes {@code [...]} and {@code [^...]}, {@code \d \w \s}
 * and their negations, groups {@code (...)} and {@code (?:...)}, {@code |}, the quantifiers {@code * + ? {n} {n,}
 * {n,m}} (lazy or not), and {@code ^} / {@code $} at the very start / end. Without them the pattern may match
 * anywhere in the string, as JSON Schema specifies. Backreferences, lookaround and word boundaries are rejected.
 */
final class RegexToGbnf {

    private static final int[] DIGIT = {'0', '9'};
    private static final int[] WORD = CodePointSets.normalize(new int[] {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'});
    private static final int[] SPACE = CodePointSets.normalize(new int[] {'\t', '\r', ' ', ' ', 0xA0, 0xA0,
            0x1680, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000,
            0xFEFF, 0xFEFF});
    private static final int[] LINE_TERMINATORS = CodePointSets.normalize(new int[] {'\n', '\n', '\r', '\r',
            0x2028, 0x2029});
    /** Characters a JSON string holds as they are; the others need an escape. */
    private static final int[] JSON_PLAIN = CodePointSets.minus(CodePointSets.ALL,
            CodePointSets.normalize(new int[] {0, 0x1F, '"', '"', '\\', '\\', 0x7F, 0x7F}));

    private final String regex;
    private final String pointer;
    private int pos;

    private RegexToGbnf(String regex, String pointer) {
        this.regex = regex;
        this.pointer = pointer;
    }

    /**
     * A GBNF expression for the inside of a JSON string the pattern matches.
     *
     * @param anyChar a GBNF expression for one arbitrary JSON string character, used around unanchored patterns
     */
    static String convert(String regex, String pointer, String anyChar) {
        RegexToGbnf converter = new RegexToGbnf(regex, pointer);
        boolean anchoredStart = regex.startsWith("^");
        if (anchoredStart) {
            converter.pos = 1;
        }
        String body = converter.alternatives(true);
        boolean anchoredEnd = converter.pos < regex.length() && regex.charAt(converter.pos) == '$';
        if (anchoredEnd) {
            converter.pos++;
        }
        if (converter.pos < regex.length()) {
            throw converter.error("unexpected \"" + regex.charAt(converter.pos) + "\"");
        }
        if ((anchoredStart || anchoredEnd) && converter.topLevelAlternation) {
            throw converter.error("anchors with a top-level \"|\" are not supported; put the alternatives in a group");
        }
        return (anchoredStart ? "" : anyChar + "* ") + "(" + body + ")" + (anchoredEnd ? "" : " " + anyChar + "*");
    }

    private boolean topLevelAlternation;

    private String alternatives(boolean top) {
        List<String> options = new ArrayList<>();
        options.add(sequence());
        while (pos < regex.length() && regex.charAt(pos) == '|') {
            pos++;
            if (top) {
                topLevelAlternation = true;
            }
            options.add(sequence());
        }
        return String.join(" | ", options);
    }

    private String sequence() {
        List<String> items = new ArrayList<>();
        while (pos < regex.length()) {
            char c = regex.charAt(pos);
            if (c == '|' || c == ')' || (c == '$' && pos == regex.length() - 1)) {
                break;
            }
            items.add(quantified(atom()));
        }
        return items.isEmpty() ? "\"\"" : String.join(" ", items);
    }

    private String quantified(String atom) {
        if (pos >= regex.length()) {
            return atom;
        }
        char c = regex.charAt(pos);
        String suffix;
        if (c == '*' || c == '+' || c == '?') {
            pos++;
            suffix = String.valueOf(c);
        } else if (c == '{' && regex.indexOf('}', pos) > pos && regex.substring(pos + 1, regex.indexOf('}', pos))
                .matches("\\d+(,\\d*)?")) {
            int close = regex.indexOf('}', pos);
            String[] parts = regex.substring(pos + 1, close).split(",", -1);
            if (parts.length == 2 && !parts[1].isEmpty() && Integer.parseInt(parts[1]) < Integer.parseInt(parts[0])) {
                throw error("quantifier {" + parts[0] + "," + parts[1] + "} has its bounds backwards");
            }
            pos = close + 1;
            suffix = "{" + String.join(",", parts) + "}";
        } else {
            return atom;
        }
        if (pos < regex.length() && regex.charAt(pos) == '?') {
            pos++; // lazy: the same strings
        }
        if (pos < regex.length() && "*+?".indexOf(regex.charAt(pos)) >= 0) {
            throw error("nested quantifier \"" + regex.charAt(pos) + "\"");
        }
        return "(" + atom + ")" + suffix;
    }

    private String atom() {
        char c = regex.charAt(pos);
        switch (c) {
            case '(' -> {
                pos++;
                if (regex.startsWith("?:", pos)) {
                    pos += 2;
                } else if (regex.startsWith("?", pos)) {
                    throw error("lookaround and named groups are not supported");
                }
                String inner = alternatives(false);
                if (pos >= regex.length() || regex.charAt(pos) != ')') {
                    throw error("unclosed group");
                }
                pos++;
                return "(" + inner + ")";
            }
            case '[' -> {
                return chars(charClass());
            }
            case '.' -> {
                pos++;
                return chars(CodePointSets.complement(LINE_TERMINATORS));
            }
            case '\\' -> {
                return chars(escape(false));
            }
            case '*', '+', '?', '{' -> throw error("quantifier \"" + c + "\" with nothing to repeat");
            case '^', '$' -> throw error("anchor \"" + c + "\" is only supported at the start / end of the pattern");
            case ')' -> throw error("unbalanced \")\"");
            default -> {
                int cp = regex.codePointAt(pos);
                pos += Character.charCount(cp);
                return chars(CodePointSets.of(cp));
            }
        }
    }

    private int[] charClass() {
        int start = pos;
        pos++;
        boolean negated = pos < regex.length() && regex.charAt(pos) == '^';
        if (negated) {
            pos++;
        }
        int[] set = new int[0];
        boolean first = true;
        while (true) {
            if (pos >= regex.length()) {
                pos = start;
                throw error("unclosed character class");
            }
            char c = regex.charAt(pos);
            if (c == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            int[] item = classItem();
            if (item.length == 2 && item[0] == item[1] && pos + 1 < regex.length() && regex.charAt(pos) == '-'
                    && regex.charAt(pos + 1) != ']') {
                pos++;
                int[] to = classItem();
                if (to.length != 2 || to[0] != to[1] || to[0] < item[0]) {
                    throw error("invalid range in character class");
                }
                item = CodePointSets.normalize(new int[] {item[0], to[0]});
            }
            set = CodePointSets.union(set, item);
        }
        return negated ? CodePointSets.complement(set) : set;
    }

    private int[] classItem() {
        if (regex.charAt(pos) == '\\') {
            return escape(true);
        }
        int cp = regex.codePointAt(pos);
        pos += Character.charCount(cp);
        return CodePointSets.of(cp);
    }

    private int[] escape(boolean inClass) {
        pos++;
        if (pos >= regex.length()) {
            throw error("pattern ends with a lone backslash");
        }
        char c = regex.charAt(pos++);
        return switch (c) {
            case 'd' -> DIGIT.clone();
            case 'D' -> CodePointSets.complement(DIGIT);
            case 'w' -> WORD;
            case 'W' -> CodePointSets.complement(WORD);
            case 's' -> SPACE;
            case 'S' -> CodePointSets.complement(SPACE);
            case 't' -> CodePointSets.of('\t');
            case 'n' -> CodePointSets.of('\n');
            case 'r' -> CodePointSets.of('\r');
            case 'f' -> CodePointSets.of('\f');
            case 'v' -> CodePointSets.of(0x0B);
            case '0' -> CodePointSets.of(0);
            case 'b' -> {
                if (inClass) {
                    yield CodePointSets.of(8);
                }
                throw error("word boundaries (\\b) are not supported");
            }
            case 'x' -> CodePointSets.of(hex(2));
            case 'u' -> CodePointSets.of(hex(4));
            default -> {
                if (Character.isLetterOrDigit(c)) {
                    throw error("escape \"\\" + c + "\" is not supported");
                }
                yield CodePointSets.of(c);
            }
        };
    }

    private int hex(int digits) {
        if (pos + digits > regex.length()) {
            throw error("escape needs " + digits + " hex digits");
        }
        try {
            int v = Integer.parseInt(regex.substring(pos, pos + digits), 16);
            pos += digits;
            if (v >= 0xD800 && v <= 0xDFFF) {
                throw error("surrogate escapes are not supported");
            }
            return v;
        } catch (NumberFormatException e) {
            throw error("escape needs " + digits + " hex digits");
        }
    }

    /** GBNF for one character out of {@code set}, in its JSON-escaped form where JSON requires one. */
    static String chars(int[] set) {
        if (set.length == 0) {
            throw new IllegalArgumentException("empty character set");
        }
        List<String> options = new ArrayList<>();
        int[] plain = CodePointSets.intersect(set, JSON_PLAIN);
        if (plain.length > 0) {
            options.add(GbnfText.charClass(plain));
        }
        int[] escaped = CodePointSets.minus(set, JSON_PLAIN);
        for (int i = 0; i < escaped.length; i += 2) {
            for (int cp = escaped[i]; cp <= escaped[i + 1]; cp++) {
                options.add(GbnfText.literal(jsonEscape(cp)));
            }
        }
        return options.size() == 1 ? options.getFirst() : "(" + String.join(" | ", options) + ")";
    }

    private static String jsonEscape(int cp) {
        return switch (cp) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            default -> String.format("\\u%04x", cp);
        };
    }

    private SchemaException error(String message) {
        return new SchemaException(pointer, "pattern \"" + regex + "\" at offset " + pos + ": " + message);
    }
}
