package io.qwen4j.core.constrain;

/** Writes GBNF literals and character classes, escaping whatever GBNF would read otherwise. */
final class GbnfText {

    private GbnfText() {
    }

    /** A GBNF string literal matching exactly {@code text}. */
    static String literal(String text) {
        StringBuilder sb = new StringBuilder("\"");
        text.codePoints().forEach(cp -> {
            if (cp == '"' || cp == '\\') {
                sb.append('\\').appendCodePoint(cp);
            } else {
                appendPrintable(sb, cp);
            }
        });
        return sb.append('"').toString();
    }

    /** A GBNF character class for a code point set (see {@link CodePointSets}). */
    static String charClass(int[] ranges) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ranges.length; i += 2) {
            appendClassChar(sb, ranges[i]);
            if (ranges[i + 1] > ranges[i]) {
                if (ranges[i + 1] > ranges[i] + 1) {
                    sb.append('-');
                }
                appendClassChar(sb, ranges[i + 1]);
            }
        }
        return sb.append(']').toString();
    }

    private static void appendClassChar(StringBuilder sb, int cp) {
        if (cp == ']' || cp == '[' || cp == '\\' || cp == '-' || cp == '^' || cp == '"') {
            sb.append('\\').appendCodePoint(cp);
        } else {
            appendPrintable(sb, cp);
        }
    }

    private static void appendPrintable(StringBuilder sb, int cp) {
        if (cp >= 0x20 && cp < 0x7F) {
            sb.appendCodePoint(cp);
        } else if (cp <= 0xFF) {
            sb.append(String.format("\\x%02X", cp));
        } else if (cp <= 0xFFFF) {
            sb.append(String.format("\\u%04X", cp));
        } else {
            sb.append(String.format("\\U%08X", cp));
        }
    }
}
