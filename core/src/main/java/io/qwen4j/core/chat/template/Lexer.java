package io.qwen4j.core.chat.template;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits template source into tokens with the whitespace rules of Hugging Face's environment:
 * trim_blocks, lstrip_blocks, {@code -}/{@code +} modifiers and keep_trailing_newline=False.
 */
final class Lexer {
    private static final Pattern FLOAT = Pattern.compile(
            "(?<!\\.)(\\d+_)*\\d+((\\.(\\d+_)*\\d+)?[eE][+\\-]?(\\d+_)*\\d+|\\.(\\d+_)*\\d+)");
    private static final Pattern INTEGER = Pattern.compile(
            "0[bB](_?[01])+|0[oO](_?[0-7])+|0[xX](_?[0-9a-fA-F])+|[1-9](_?\\d)*|0(_?0)*");
    private static final Pattern NAME = Pattern.compile(
            "[\\p{L}\\p{Nl}_][\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}]*");
    private static final Pattern STRING = Pattern.compile(
            "'([^'\\\\]*(?:\\\\.[^'\\\\]*)*)'|\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\"", Pattern.DOTALL);
    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%([-+]?)\\s*raw\\s*(?:-%}\\s*|%})");
    private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*(?:\\+%}|-%}\\s*|%}\\n?)");
    private static final List<String> OPERATORS = Arrays.asList(
            "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}",
            ">", "<", "=", ".", ":", "|", ",", ";");

    private final String source;
    private final int[] lineStarts;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private boolean lineStarting = true;

    private Lexer(String source) {
        this.source = source;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < source.length(); i++) {
            if (source.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(normalizeNewlines(source));
        lexer.run();
        return lexer.tokens;
    }

    /** All of \r\n, \r and \n become \n, and one trailing newline is dropped. */
    static String normalizeNewlines(String source) {
        String normalized = source.replace("\r\n", "\n").replace('\r', '\n');
        return normalized.endsWith("\n") ? normalized.substring(0, normalized.length() - 1) : normalized;
    }

    private int lineOf(int offset) {
        int i = Arrays.binarySearch(lineStarts, offset);
        return i >= 0 ? i + 1 : -i - 1;
    }

    private int columnOf(int offset) {
        return offset - lineStarts[lineOf(offset) - 1] + 1;
    }

    private TemplateSyntaxException error(String message, int offset) {
        return new TemplateSyntaxException(message, lineOf(offset), columnOf(offset));
    }

    private void add(Token.Kind kind, String text, Object value, int offset) {
        tokens.add(new Token(kind, text, value, lineOf(offset), columnOf(offset)));
    }

    private void run() {
        while (pos < source.length()) {
            int tag = findTagStart(pos);
            if (tag < 0) {
                add(Token.Kind.DATA, source.substring(pos), null, pos);
                pos = source.length();
                break;
            }
            char kind = source.charAt(tag + 1);
            Matcher raw = RAW_BEGIN.matcher(source).region(tag, source.length());
            if (kind == '%' && raw.lookingAt()) {
                lexRaw(tag, raw);
                continue;
            }
            char sign = tag + 2 < source.length() ? source.charAt(tag + 2) : 0;
            boolean signed = sign == '-' || sign == '+';
            emitText(pos, tag, signed ? sign : 0, kind != '{');
            int start = tag + 2 + (signed ? 1 : 0);
            lineStarting = false;
            switch (kind) {
                case '#' -> lexComment(tag, start);
                case '%' -> lexTag(tag, start, true);
                default -> lexTag(tag, start, false);
            }
        }
        add(Token.Kind.EOF, "", null, source.length());
    }

    private int findTagStart(int from) {
        for (int i = source.indexOf('{', from); i >= 0 && i + 1 < source.length(); i = source.indexOf('{', i + 1)) {
            char next = source.charAt(i + 1);
            if (next == '%' || next == '{' || next == '#') {
                return i;
            }
        }
        return -1;
    }

    /** Emits the data before a tag, after the tag's {@code -} or lstrip_blocks has trimmed it. */
    private void emitText(int from, int to, char sign, boolean lstripApplies) {
        String text = source.substring(from, to);
        if (sign == '-') {
            text = PyStrings.strip(text, null, false, true);
        } else if (sign != '+' && lstripApplies) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && lineStart < text.length()
                    && PyStrings.strip(text.substring(lineStart), null, true, false).isEmpty()) {
                text = text.substring(0, lineStart);
            }
        }
        if (!text.isEmpty()) {
            add(Token.Kind.DATA, text, null, from);
        }
    }

    private void lexComment(int tag, int from) {
        for (int p = from; p < source.length(); p++) {
            int end = -1;
            if (source.startsWith("+#}", p)) {
                end = p + 3;
            } else if (source.startsWith("-#}", p)) {
                end = skipSpace(p + 3);
            } else if (source.startsWith("#}", p)) {
                end = p + 2;
                if (end < source.length() && source.charAt(end) == '\n') {
                    end++;
                }
            }
            if (end >= 0) {
                pos = end;
                lineStarting = source.charAt(end - 1) == '\n';
                return;
            }
        }
        throw error("missing end of comment tag '#}'", tag);
    }

    private void lexRaw(int tag, Matcher begin) {
        emitText(pos, tag, begin.group(1).isEmpty() ? 0 : begin.group(1).charAt(0), true);
        int bodyStart = begin.end();
        lineStarting = source.charAt(bodyStart - 1) == '\n';
        Matcher end = RAW_END.matcher(source);
        for (int p = source.indexOf("{%", bodyStart); p >= 0; p = source.indexOf("{%", p + 1)) {
            end.region(p, source.length());
            if (end.lookingAt()) {
                emitText(bodyStart, p, end.group(1).isEmpty() ? 0 : end.group(1).charAt(0), true);
                pos = end.end();
                lineStarting = source.charAt(pos - 1) == '\n';
                return;
            }
        }
        throw error("missing end of raw block: '{% endraw %}'", tag);
    }

    private int skipSpace(int p) {
        while (p < source.length() && PyStrings.isSpace(source.charAt(p))) {
            p++;
        }
        return p;
    }

    /** Tokenizes the inside of a block or print tag up to and including its end. */
    private void lexTag(int tag, int from, boolean block) {
        add(block ? Token.Kind.BLOCK_BEGIN : Token.Kind.VARIABLE_BEGIN, block ? "{%" : "{{", null, tag);
        Deque<Character> brackets = new ArrayDeque<>();
        int p = from;
        while (true) {
            if (p >= source.length()) {
                throw error("tag '" + (block ? "{%" : "{{") + "' is never closed; expected '"
                        + (block ? "%}" : "}}") + "'", tag);
            }
            if (brackets.isEmpty()) {
                int end = matchTagEnd(p, block);
                if (end >= 0) {
                    add(block ? Token.Kind.BLOCK_END : Token.Kind.VARIABLE_END, block ? "%}" : "}}", null, p);
                    pos = end;
                    lineStarting = source.charAt(end - 1) == '\n';
                    return;
                }
            }
            char c = source.charAt(p);
            if (PyStrings.isSpace(c)) {
                p++;
                continue;
            }
            Matcher m;
            if ((m = match(FLOAT, p)) != null) {
                add(Token.Kind.FLOAT, m.group(), Double.parseDouble(m.group().replace("_", "")), p);
            } else if ((m = match(INTEGER, p)) != null) {
                add(Token.Kind.INTEGER, m.group(), parseInteger(m.group()), p);
            } else if ((m = match(NAME, p)) != null) {
                add(Token.Kind.NAME, m.group(), m.group(), p);
            } else if ((m = match(STRING, p)) != null) {
                add(Token.Kind.STRING, m.group(), StringLiterals.decode(m.group(), this::error, p), p);
            } else {
                String op = operatorAt(p);
                if (op == null) {
                    throw error("unexpected char '" + c + "'", p);
                }
                trackBrackets(op, brackets, p);
                add(Token.Kind.OPERATOR, op, op, p);
                p += op.length();
                continue;
            }
            p = m.end();
        }
    }

    private int matchTagEnd(int p, boolean block) {
        if (block) {
            if (source.startsWith("+%}", p)) {
                return p + 3;
            }
            if (source.startsWith("-%}", p)) {
                return skipSpace(p + 3);
            }
            if (source.startsWith("%}", p)) {
                return p + 2 < source.length() && source.charAt(p + 2) == '\n' ? p + 3 : p + 2;
            }
            return -1;
        }
        if (source.startsWith("-}}", p)) {
            return skipSpace(p + 3);
        }
        return source.startsWith("}}", p) ? p + 2 : -1;
    }

    private Matcher match(Pattern pattern, int p) {
        Matcher m = pattern.matcher(source).region(p, source.length()).useTransparentBounds(true);
        return m.lookingAt() ? m : null;
    }

    private String operatorAt(int p) {
        for (String op : OPERATORS) {
            if (source.startsWith(op, p)) {
                return op;
            }
        }
        return null;
    }

    private void trackBrackets(String op, Deque<Character> brackets, int p) {
        switch (op) {
            case "(" -> brackets.push(')');
            case "[" -> brackets.push(']');
            case "{" -> brackets.push('}');
            case ")", "]", "}" -> {
                if (brackets.isEmpty()) {
                    throw error("unexpected '" + op + "'", p);
                }
                char expected = brackets.pop();
                if (expected != op.charAt(0)) {
                    throw error("unexpected '" + op + "', expected '" + expected + "'", p);
                }
            }
            default -> {
            }
        }
    }

    private static Object parseInteger(String text) {
        String digits = text.replace("_", "").toLowerCase(java.util.Locale.ROOT);
        int radix = 10;
        if (digits.startsWith("0b")) {
            radix = 2;
        } else if (digits.startsWith("0o")) {
            radix = 8;
        } else if (digits.startsWith("0x")) {
            radix = 16;
        }
        if (radix != 10) {
            digits = digits.substring(2);
        }
        return Py.normalize(new BigInteger(digits, radix));
    }

    /** Builds a syntax error at a source offset; lets helpers report positions. */
    @FunctionalInterface
    interface ErrorAt {
        TemplateSyntaxException at(String message, int offset);
    }
}
