package io.qwen4j.core.generate.sampling;

import java.util.List;
import java.util.Objects;

/**
 * Finds stop strings in streamed text without ever letting part of one out. Each {@link #append} returns the text
 * that can no longer belong to a stop string; a tail that could still grow into one is held back until the next
 * piece decides it. When several stop strings occur, the one that starts first wins, and the text ends right before
 * it. A trailing lone high surrogate is held back as well, so a chunk never ends in half a UTF-16 pair.
 * Not thread-safe: one matcher per generation.
 */
public final class StopStringMatcher {

    private final List<String> stopStrings;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    /** @throws IllegalArgumentException if a stop string is empty */
    public StopStringMatcher(List<String> stopStrings) {
        this.stopStrings = List.copyOf(Objects.requireNonNull(stopStrings, "stopStrings"));
        for (int i = 0; i < this.stopStrings.size(); i++) {
            if (this.stopStrings.get(i).isEmpty()) {
                throw new IllegalArgumentException("stop string " + i + " is empty");
            }
        }
    }

    /**
     * Feeds newly decoded text; returns the text safe to emit now. Once a stop string is found, {@link #stopped()}
     * becomes true, the returned text ends right before the stop string, and the rest is dropped.
     *
     * @throws IllegalStateException after a stop string was found
     */
    public String append(String text) {
        Objects.requireNonNull(text, "text");
        if (stopped) {
            throw new IllegalStateException("a stop string was already found");
        }
        pending.append(text);
        int stopAt = earliestStop();
        if (stopAt >= 0) {
            stopped = true;
            String out = pending.substring(0, stopAt);
            pending.setLength(0);
            return out;
        }
        int emit = pending.length() - heldBack();
        if (emit > 0 && Character.isHighSurrogate(pending.charAt(emit - 1))) {
            emit--;
        }
        String out = pending.substring(0, emit);
        pending.delete(0, emit);
        return out;
    }

    /** True once a stop string has been found. */
    public boolean stopped() {
        return stopped;
    }

    /** At the end of generation without a stop: the held-back text (empty after a stop). */
    public String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    /** Start of the first stop string in the pending text, or -1. */
    private int earliestStop() {
        int earliest = -1;
        for (String stop : stopStrings) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        return earliest;
    }

    /** Length of the longest tail of the pending text that is a proper prefix of a stop string. */
    private int heldBack() {
        int longest = 0;
        int length = pending.length();
        for (String stop : stopStrings) {
            for (int prefix = Math.min(stop.length() - 1, length); prefix > longest; prefix--) {
                if (endsWith(stop, prefix, length)) {
                    longest = prefix;
                    break;
                }
            }
        }
        return longest;
    }

    private boolean endsWith(String stop, int prefix, int length) {
        int offset = length - prefix;
        for (int i = 0; i < prefix; i++) {
            if (pending.charAt(offset + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
