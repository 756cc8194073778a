package io.qwen4j.core.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text: exact, case-sensitive, leftmost match first and the longest token at that position
 * (the "leftmost-longest" rule of Hugging Face's Aho-Corasick automaton). Tokens are indexed by their first
 * character, so text without any such character is scanned at the cost of one table look-up per char.
 */
final class AddedTokenMatcher {

    /** A match: where it starts and which token it is. */
    record Match(int start, int end, int id) {
    }

    private record Candidate(String content, int id) {
    }

    private final boolean[] bmpFirst = new boolean[0x10000];
    private final Map<Character, Candidate[]> byFirstChar;

    /** @param tokens content to id; empty contents are ignored (they would match everywhere) */
    AddedTokenMatcher(Map<String, Integer> tokens) {
        Map<Character, List<Candidate>> groups = new HashMap<>();
        tokens.forEach((content, id) -> {
            if (!content.isEmpty()) {
                groups.computeIfAbsent(content.charAt(0), c -> new ArrayList<>()).add(new Candidate(content, id));
            }
        });
        byFirstChar = new HashMap<>();
        groups.forEach((first, list) -> {
            list.sort(Comparator.comparingInt((Candidate c) -> c.content().length()).reversed());
            byFirstChar.put(first, list.toArray(Candidate[]::new));
            bmpFirst[first] = true;
        });
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }

    /** The first match in {@code text[from, to)}, or null. */
    Match find(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (bmpFirst[c]) {
                for (Candidate candidate : byFirstChar.get(c)) {
                    int end = i + candidate.content().length();
                    if (end <= to && text.startsWith(candidate.content(), i)) {
                        return new Match(i, end, candidate.id());
                    }
                }
            }
        }
        return null;
    }
}
