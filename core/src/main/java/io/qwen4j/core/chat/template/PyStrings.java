package io.qwen4j.core.chat.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Python str operations on Java strings, counted in code points as Python counts characters. */
final class PyStrings {
    private PyStrings() {
    }

    /** Python's str.isspace() for one character. */
    static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f
                || c == 0x3000;
    }

    /** The line boundaries of Python's str.splitlines(). */
    static boolean isLineBreak(int c) {
        return c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e) || c == 0x85
                || c == 0x2028 || c == 0x2029;
    }

    static List<Object> characters(String s) {
        List<Object> out = new ArrayList<>(s.length());
        s.codePoints().forEach(c -> out.add(Character.toString(c)));
        return out;
    }

    /** Compares by code point, as Python orders strings. */
    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /** Python's repr() of a str: single quotes unless the text has ' and no ". */
    static void repr(String s, StringBuilder out) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        out.append(quote);
        s.codePoints().forEach(c -> {
            if (c == quote || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == ' ' || (c > 0x20 && c < 0x7f) || (c > 0x7f && isPrintable(c))) {
                out.appendCodePoint(c);
            } else if (c < 0x100) {
                out.append(String.format("\\x%02x", c));
            } else if (c < 0x10000) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append(String.format("\\U%08x", c));
            }
        });
        out.append(quote);
    }

    private static boolean isPrintable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    // ---- indexing ----

    /** Java char offset of the code point at {@code index} (0..length). */
    static int offset(String s, int codePointIndex) {
        return s.offsetByCodePoints(0, codePointIndex);
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** Python's s[start:stop] with already-clamped, non-negative code point bounds. */
    static String substring(String s, int start, int stop) {
        if (stop <= start) {
            return "";
        }
        return s.substring(offset(s, start), offset(s, stop));
    }

    // ---- strip / split ----

    private static boolean inSet(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(Character.toString(c)) >= 0;
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && inSet(s.codePointAt(start), chars)) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (right && end > start && inSet(s.codePointBefore(end), chars)) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    /** Python's str.split(sep, maxsplit); {@code sep == null} splits on runs of whitespace. */
    static List<Object> split(String s, String sep, int maxSplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.codePointAt(i))) {
                    i += Character.charCount(s.codePointAt(i));
                }
                if (i >= n) {
                    return out;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(s.substring(i));
                    return out;
                }
                int j = i;
                while (j < n && !isSpace(s.codePointAt(j))) {
                    j += Character.charCount(s.codePointAt(j));
                }
                out.add(s.substring(i, j));
                i = j;
            }
        }
        checkSeparator(sep);
        int from = 0;
        while (maxSplit < 0 || out.size() < maxSplit) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    /** Python's str.rsplit(sep, maxsplit). */
    static List<Object> rsplit(String s, String sep, int maxSplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && isSpace(s.codePointBefore(j))) {
                    j -= Character.charCount(s.codePointBefore(j));
                }
                if (j <= 0) {
                    break;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(s.substring(0, j));
                    break;
                }
                int i = j;
                while (i > 0 && !isSpace(s.codePointBefore(i))) {
                    i -= Character.charCount(s.codePointBefore(i));
                }
                out.add(s.substring(i, j));
                j = i;
            }
            java.util.Collections.reverse(out);
            return out;
        }
        checkSeparator(sep);
        int to = s.length();
        while (maxSplit < 0 || out.size() < maxSplit) {
            int at = to - sep.length() < 0 ? -1 : s.lastIndexOf(sep, to - sep.length());
            if (at < 0) {
                break;
            }
            out.add(s.substring(at + sep.length(), to));
            to = at;
        }
        out.add(s.substring(0, to));
        java.util.Collections.reverse(out);
        return out;
    }

    private static void checkSeparator(String sep) {
        if (sep.isEmpty()) {
            throw new PyError("empty separator");
        }
    }

    /** Python's str.splitlines(keepends). */
    static List<Object> splitLines(String s, boolean keepEnds) {
        List<Object> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (isLineBreak(c)) {
                int end = i + 1;
                if (c == '\r' && end < s.length() && s.charAt(end) == '\n') {
                    end++;
                }
                out.add(s.substring(start, keepEnds ? end : i));
                start = end;
                i = end;
            } else {
                i++;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    // ---- case ----

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    private static boolean isCased(int c) {
        return Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
    }

    /** Python's str.title(): a letter after a cased letter is lowered, any other is title-cased. */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (previousCased) {
                out.append(lower(Character.toString(c)));
            } else {
                out.appendCodePoint(Character.toTitleCase(c));
            }
            previousCased = isCased(c);
            i += Character.charCount(c);
        }
        return out.toString();
    }

    /** Python's str.capitalize(): first character title-cased, the rest lowered. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return Character.toString(Character.toTitleCase(first)) + lower(s.substring(Character.charCount(first)));
    }

    static String swapCase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            String one = Character.toString(c);
            out.append(Character.isUpperCase(c) ? lower(one) : Character.isLowerCase(c) ? upper(one) : one);
        });
        return out.toString();
    }

    /** Python's str.replace(old, new, count). */
    static String replace(String s, String old, String replacement, int count) {
        if (count < 0) {
            count = Integer.MAX_VALUE;
        }
        if (old.isEmpty()) {
            // Python inserts the replacement before every character and at the end.
            StringBuilder out = new StringBuilder();
            int done = 0;
            int i = 0;
            while (i <= s.length()) {
                if (done < count) {
                    out.append(replacement);
                    done++;
                }
                if (i == s.length()) {
                    break;
                }
                int c = s.codePointAt(i);
                out.appendCodePoint(c);
                i += Character.charCount(c);
            }
            return out.toString();
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        int done = 0;
        while (done < count) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(s, from, at).append(replacement);
            from = at + old.length();
            done++;
        }
        return out.append(s, from, s.length()).toString();
    }

    /** Non-overlapping occurrences, as Python's str.count. */
    static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return length(s) + 1;
        }
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    static String repeat(String s, Object times) {
        int n = Py.toIndex(times, "repeat count");
        if (n <= 0) {
            return "";
        }
        Limits.checkSize((long) s.length() * n);
        return s.repeat(n);
    }
}
