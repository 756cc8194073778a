package io.qwen4j.core.generate.output;

/** Helpers for streaming parsers that must not emit text which might still turn into a tag. */
final class Holdback {

    private Holdback() {
    }

    /** Length of the longest proper prefix of {@code tag} that {@code text} ends with. */
    static int partialTagSuffix(CharSequence text, String tag) {
        for (int k = Math.min(tag.length() - 1, text.length()); k > 0; k--) {
            if (regionEquals(text, text.length() - k, tag, k)) {
                return k;
            }
        }
        return 0;
    }

    /** Start of the run of {@code c} characters that ends at {@code end} (exclusive). */
    static int runStart(CharSequence text, int end, char c) {
        int i = end;
        while (i > 0 && text.charAt(i - 1) == c) {
            i--;
        }
        return i;
    }

    /** Start of the run of whitespace that ends at {@code end} (exclusive). */
    static int whitespaceRunStart(CharSequence text, int end) {
        int i = end;
        while (i > 0 && Character.isWhitespace(text.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    private static boolean regionEquals(CharSequence text, int from, String tag, int length) {
        for (int i = 0; i < length; i++) {
            if (text.charAt(from + i) != tag.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
