package io.qwen4j.core.chat.template;

/** Decodes a quoted template string literal the way Jinja does (Python's unicode-escape codec). */
final class StringLiterals {
    private StringLiterals() {
    }

    static String decode(String quoted, Lexer.ErrorAt error, int offset) {
        String body = quoted.substring(1, quoted.length() - 1);
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= body.length()) {
                out.append(c);
                i++;
                continue;
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case '\n' -> { }
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x' -> i = hex(body, i, 2, out, "\\xXX", error, offset);
                case 'u' -> i = hex(body, i, 4, out, "\\uXXXX", error, offset);
                case 'U' -> i = hex(body, i, 8, out, "\\UXXXXXXXX", error, offset);
                case 'N' -> i = named(body, i, out, error, offset);
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i - 1;
                        while (end < body.length() && end < i + 2 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
                            end++;
                        }
                        out.appendCodePoint(Integer.parseInt(body.substring(i - 1, end), 8));
                        i = end;
                    } else if (e > 0x7f) {
                        // Jinja first writes non-ASCII as its backslash escape, so "\é" keeps the escape text.
                        int cp = body.codePointAt(i - 1);
                        out.append('\\').append(cp < 0x100 ? String.format("x%02x", cp)
                                : cp < 0x10000 ? String.format("u%04x", cp) : String.format("U%08x", cp));
                        i += Character.charCount(cp) - 1;
                    } else {
                        out.append('\\').append(e);
                    }
                }
            }
        }
        return out.toString();
    }

    private static int hex(String body, int from, int digits, StringBuilder out, String form, Lexer.ErrorAt error,
                           int offset) {
        if (from + digits > body.length() || !body.substring(from, from + digits).matches("[0-9a-fA-F]+")) {
            throw error.at("truncated " + form + " escape in string literal", offset);
        }
        int cp = Integer.parseUnsignedInt(body.substring(from, from + digits), 16);
        if (cp > Character.MAX_CODE_POINT) {
            throw error.at("illegal Unicode character in string literal", offset);
        }
        out.appendCodePoint(cp);
        return from + digits;
    }

    private static int named(String body, int from, StringBuilder out, Lexer.ErrorAt error, int offset) {
        int close = body.indexOf('}', from);
        if (from >= body.length() || body.charAt(from) != '{' || close < 0) {
            throw error.at("malformed \\N character escape in string literal", offset);
        }
        try {
            out.appendCodePoint(Character.codePointOf(body.substring(from + 1, close)));
        } catch (IllegalArgumentException e) {
            throw error.at("unknown Unicode character name in string literal", offset);
        }
        return close + 1;
    }
}
