package io.qwen4j.core.constrain;

import java.util.ArrayList;
import java.util.List;

/**
 * GBNF for the decimal integers in a range, written as JSON writes them (no leading zeros, no "-0"). An open end
 * stops at 16 digits, as llama.cpp's converter does, which keeps every value exact in a double.
 */
final class IntegerRanges {

    static final int MAX_DIGITS = 16;
    private static final long LIMIT = 9_999_999_999_999_999L;

    private IntegerRanges() {
    }

    /** An expression matching the integers in {@code [min, max]}; null bounds are open. */
    static String gbnf(Long min, Long max) {
        long lo = min == null ? -LIMIT : min;
        long hi = max == null ? LIMIT : max;
        if (lo > hi) {
            throw new IllegalArgumentException("empty integer range [" + lo + ", " + hi + "]");
        }
        List<String> options = new ArrayList<>();
        if (lo < 0) {
            options.add("\"-\" " + group(nonNegative(-Math.min(hi, -1), -lo)));
        }
        if (hi >= 0) {
            options.add(group(nonNegative(Math.max(lo, 0), hi)));
        }
        return options.size() == 1 ? options.getFirst() : "(" + String.join(" | ", options) + ")";
    }

    private static List<String> nonNegative(long lo, long hi) {
        List<String> options = new ArrayList<>();
        String a = Long.toString(lo);
        String b = Long.toString(hi);
        for (int len = a.length(); len <= b.length(); len++) {
            long from = Math.max(lo, len == 1 ? 0 : pow10(len - 1));
            long to = Math.min(hi, pow10(len) - 1);
            if (from <= to) {
                options.addAll(sameLength(Long.toString(from), Long.toString(to)));
            }
        }
        return options;
    }

    /** Alternatives matching the digit strings from a to b, both of the same length. */
    private static List<String> sameLength(String a, String b) {
        int n = a.length();
        if (n == 0) {
            return List.of("");
        }
        if (a.equals(b)) {
            return List.of("\"" + a + "\"");
        }
        char a0 = a.charAt(0);
        char b0 = b.charAt(0);
        String aRest = a.substring(1);
        String bRest = b.substring(1);
        if (a0 == b0) {
            return List.of("\"" + a0 + "\" " + group(sameLength(aRest, bRest)));
        }
        List<String> options = new ArrayList<>();
        char midLo = aRest.chars().allMatch(c -> c == '0') ? a0 : (char) (a0 + 1);
        char midHi = bRest.chars().allMatch(c -> c == '9') ? b0 : (char) (b0 - 1);
        if (midLo != a0) {
            options.add("\"" + a0 + "\" " + group(sameLength(aRest, "9".repeat(n - 1))));
        }
        if (midLo <= midHi) {
            String digits = midLo == midHi ? "\"" + midLo + "\"" : "[" + midLo + "-" + midHi + "]";
            options.add(n == 1 ? digits : digits + " [0-9]{" + (n - 1) + "}");
        }
        if (midHi != b0) {
            options.add("\"" + b0 + "\" " + group(sameLength("0".repeat(n - 1), bRest)));
        }
        return options;
    }

    private static String group(List<String> options) {
        if (options.size() == 1) {
            return options.getFirst();
        }
        return "(" + String.join(" | ", options) + ")";
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
