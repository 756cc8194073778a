package io.qwen4j.core.constrain;

import io.qwen4j.core.constrain.GrammarAst.Alt;
import io.qwen4j.core.constrain.GrammarAst.Chars;
import io.qwen4j.core.constrain.GrammarAst.Expr;
import io.qwen4j.core.constrain.GrammarAst.Ref;
import io.qwen4j.core.constrain.GrammarAst.Repeat;
import io.qwen4j.core.constrain.GrammarAst.Rule;
import io.qwen4j.core.constrain.GrammarAst.Seq;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses llama.cpp's GBNF: {@code name ::= body} rules; alternatives {@code |}; grouping {@code ( )}; postfix
 * {@code * + ? {m} {m,} {m,n} {,n}}; string literals and character classes ({@code [a-z]}, {@code [^...]}) with the
 * escapes {@code \n \r \t \\ \" \[ \] \- \xHH}, u plus 4 and U plus 8 hex digits; {@code .} for any character;
 * {@code #} comments.
 * A rule may continue over several lines; it ends where the next {@code name ::=} begins.
 */
final class GbnfParser {

    /** Repetition counts above this would only make huge grammars by mistake. */
    private static final int MAX_REPEAT = 100_000;

    private final String src;
    private int pos;
    private int depth;

    private GbnfParser(String src) {
        this.src = src;
    }

    /** The rules of {@code gbnf}, in order of definition. */
    static Map<String, Rule> parse(String gbnf) {
        return new GbnfParser(gbnf).grammar();
    }

    private Map<String, Rule> grammar() {
        Map<String, Rule> rules = new LinkedHashMap<>();
        skipSpace();
        while (pos < src.length()) {
            int line = line(pos);
            int column = column(pos);
            String name = name();
            if (name.isEmpty()) {
                throw error("expected a rule name", pos);
            }
            skipSpace();
            if (!src.startsWith("::=", pos)) {
                throw error("expected \"::=\" after rule name \"" + name + "\"", pos);
            }
            pos += 3;
            skipSpace();
            Expr body = alternatives();
            if (pos < src.length() && src.charAt(pos) == ')') {
                throw error("unexpected \")\" without a matching \"(\"", pos);
            }
            if (rules.containsKey(name)) {
                throw new GrammarException("rule \"" + name + "\" is defined twice", line, column);
            }
            rules.put(name, new Rule(name, body, line, column));
            skipSpace();
        }
        if (rules.isEmpty()) {
            throw new GrammarException("the grammar has no rules");
        }
        return rules;
    }

    private Expr alternatives() {
        List<Expr> options = new ArrayList<>();
        options.add(sequence());
        while (pos < src.length() && src.charAt(pos) == '|') {
            pos++;
            skipSpace();
            options.add(sequence());
        }
        return options.size() == 1 ? options.getFirst() : new Alt(options);
    }

    private Expr sequence() {
        List<Expr> items = new ArrayList<>();
        while (true) {
            skipSpace();
            if (pos >= src.length() || atRuleStart()) {
                break;
            }
            char c = src.charAt(pos);
            if (c == '|' || c == ')') {
                break;
            }
            Expr item = postfix(item());
            items.add(item);
        }
        return items.size() == 1 ? items.getFirst() : new Seq(items);
    }

    private Expr item() {
        int start = pos;
        char c = src.charAt(pos);
        switch (c) {
            case '"' -> {
                return literal();
            }
            case '[' -> {
                return charClass();
            }
            case '.' -> {
                pos++;
                return new Chars(CodePointSets.ALL);
            }
            case '(' -> {
                pos++;
                depth++;
                skipSpace();
                Expr inner = alternatives();
                skipSpace();
                if (pos >= src.length() || src.charAt(pos) != ')') {
                    throw error("expected \")\" to close the group opened", start);
                }
                pos++;
                depth--;
                return inner;
            }
            default -> {
                String name = name();
                if (name.isEmpty()) {
                    throw error("unexpected character '" + describe(src.codePointAt(pos)) + "'", pos);
                }
                return new Ref(name, line(start), column(start));
            }
        }
    }

    private Expr postfix(Expr item) {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '*') {
                item = new Repeat(item, 0, -1);
            } else if (c == '+') {
                item = new Repeat(item, 1, -1);
            } else if (c == '?') {
                item = new Repeat(item, 0, 1);
            } else if (c == '{') {
                item = braces(item);
                continue;
            } else {
                return item;
            }
            pos++;
        }
        return item;
    }

    private Expr braces(Expr item) {
        int start = pos;
        pos++;
        skipInlineSpace();
        int min = number(-1);
        int max;
        skipInlineSpace();
        if (pos < src.length() && src.charAt(pos) == ',') {
            pos++;
            skipInlineSpace();
            max = number(-1);
            skipInlineSpace();
        } else {
            if (min < 0) {
                throw error("expected a repetition count after \"{\"", pos);
            }
            max = min;
        }
        if (pos >= src.length() || src.charAt(pos) != '}') {
            throw error("expected \"}\" to close the repetition", pos);
        }
        pos++;
        if (min < 0) {
            min = 0;
        }
        if (max >= 0 && max < min) {
            throw error("repetition {" + min + "," + max + "} has a maximum below its minimum", start);
        }
        return new Repeat(item, min, max);
    }

    /** A decimal number, or {@code absent} if there is none here. */
    private int number(int absent) {
        int start = pos;
        long value = 0;
        while (pos < src.length() && src.charAt(pos) >= '0' && src.charAt(pos) <= '9') {
            value = value * 10 + (src.charAt(pos) - '0');
            if (value > MAX_REPEAT) {
                throw error("repetition count above " + MAX_REPEAT, start);
            }
            pos++;
        }
        return pos == start ? absent : (int) value;
    }

    private Expr literal() {
        int start = pos;
        pos++;
        List<Expr> chars = new ArrayList<>();
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n') {
                throw error("unterminated string literal", start);
            }
            char c = src.charAt(pos);
            if (c == '"') {
                pos++;
                break;
            }
            int cp = c == '\\' ? escape() : nextCodePoint();
            chars.add(new Chars(CodePointSets.of(cp)));
        }
        return chars.size() == 1 ? chars.getFirst() : new Seq(chars);
    }

    private Expr charClass() {
        int start = pos;
        pos++;
        boolean negated = pos < src.length() && src.charAt(pos) == '^';
        if (negated) {
            pos++;
        }
        List<Integer> pairs = new ArrayList<>();
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n') {
                throw error("unterminated character class", start);
            }
            if (src.charAt(pos) == ']') {
                pos++;
                break;
            }
            int lo = classChar();
            int hi = lo;
            if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
                int dash = pos;
                pos++;
                hi = classChar();
                if (hi < lo) {
                    throw error("character range is backwards", dash);
                }
            }
            pairs.add(lo);
            pairs.add(hi);
        }
        int[] ranges = CodePointSets.normalize(pairs.stream().mapToInt(Integer::intValue).toArray());
        if (negated) {
            ranges = CodePointSets.complement(ranges);
        }
        if (ranges.length == 0) {
            throw error("character class matches no character", start);
        }
        return new Chars(ranges);
    }

    private int classChar() {
        if (pos >= src.length()) {
            throw error("unterminated character class", pos);
        }
        return src.charAt(pos) == '\\' ? escape() : nextCodePoint();
    }

    private int nextCodePoint() {
        int cp = src.codePointAt(pos);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            throw error("lone surrogate in the grammar text", pos);
        }
        pos += Character.charCount(cp);
        return cp;
    }

    private int escape() {
        int start = pos;
        pos++;
        if (pos >= src.length()) {
            throw error("unfinished escape", start);
        }
        char c = src.charAt(pos++);
        int cp = switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case '\\', '"', '[', ']', '-', '^', '/' -> c;
            case 'x' -> hex(2, start);
            case 'u' -> hex(4, start);
            case 'U' -> hex(8, start);
            default -> throw error("unknown escape \"\\" + c + "\"", start);
        };
        if (cp > CodePointSets.MAX || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw error(String.format("escape \\u%X is not a Unicode scalar value", cp), start);
        }
        return cp;
    }

    private int hex(int digits, int start) {
        long value = 0;
        for (int i = 0; i < digits; i++) {
            int d = pos < src.length() ? Character.digit(src.charAt(pos), 16) : -1;
            if (d < 0) {
                throw error("escape needs " + digits + " hex digits", start);
            }
            value = value * 16 + d;
            pos++;
        }
        return value > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) value;
    }

    private String name() {
        int start = pos;
        while (pos < src.length() && isNameChar(src.charAt(pos))) {
            pos++;
        }
        return src.substring(start, pos);
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    /** Whether a new rule definition ({@code name ::=}) starts here; only at the outer level of a rule body. */
    private boolean atRuleStart() {
        if (depth > 0) {
            return false;
        }
        int p = pos;
        while (p < src.length() && isNameChar(src.charAt(p))) {
            p++;
        }
        if (p == pos) {
            return false;
        }
        while (p < src.length() && (src.charAt(p) == ' ' || src.charAt(p) == '\t')) {
            p++;
        }
        return src.startsWith("::=", p);
    }

    private void skipSpace() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private void skipInlineSpace() {
        while (pos < src.length() && (src.charAt(pos) == ' ' || src.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private GrammarException error(String message, int at) {
        return new GrammarException(message, line(at), column(at));
    }

    private int line(int at) {
        int line = 1;
        for (int i = 0; i < at && i < src.length(); i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private int column(int at) {
        int lineStart = src.lastIndexOf('\n', Math.min(at, src.length()) - 1) + 1;
        return src.codePointCount(lineStart, Math.min(at, src.length())) + 1;
    }

    private static String describe(int cp) {
        return cp < 0x20 ? String.format("\\x%02X", cp) : new String(Character.toChars(cp));
    }
}
