package io.qwen4j.core.generate.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

    /** Feeds the pieces; returns everything emitted, checking that no emitted chunk shows part of a stop string. */
    private static String feed(StopStringMatcher matcher, List<String> pieces, List<String> stops) {
        StringBuilder out = new StringBuilder();
        for (String piece : pieces) {
            String chunk = matcher.append(piece);
            out.append(chunk);
            assertFalse(!chunk.isEmpty() && Character.isHighSurrogate(chunk.charAt(chunk.length() - 1)),
                    "chunk ends in half a surrogate pair: " + pieces);
            if (matcher.stopped()) {
                break;
            }
        }
        if (!matcher.stopped()) {
            out.append(matcher.flush());
        }
        return out.toString();
    }

    /** Every split of {@code text} into two and into three pieces. */
    private static List<List<String>> splits(String text) {
        List<List<String>> all = new ArrayList<>();
        for (int i = 0; i <= text.length(); i++) {
            all.add(List.of(text.substring(0, i), text.substring(i)));
            for (int j = i; j <= text.length(); j++) {
                all.add(List.of(text.substring(0, i), text.substring(i, j), text.substring(j)));
            }
        }
        List<String> singles = new ArrayList<>();
        text.chars().forEach(c -> singles.add(String.valueOf((char) c)));
        all.add(singles);
        return all;
    }

    private static void assertEverySplit(String text, List<String> stops, String expected, boolean expectStop) {
        for (List<String> pieces : splits(text)) {
            StopStringMatcher matcher = new StopStringMatcher(stops);
            assertEquals(expected, feed(matcher, pieces, stops), "pieces " + pieces);
            assertEquals(expectStop, matcher.stopped(), "stopped after " + pieces);
        }
    }

    @Test
    void aStopStringSplitAnywhereIsFoundAndNeverEmitted() {
        assertEverySplit("Hello</s>world", List.of("</s>"), "Hello", true);
        assertEverySplit("<|im_end|>", List.of("<|im_end|>"), "", true);
        assertEverySplit("a<<</s", List.of("</s>"), "a<<</s", false);
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        // "lo w" starts at 3, "world" at 6, "o" at 4: the earliest start wins whatever the list order
        assertEverySplit("hello world", List.of("world", "lo w"), "hel", true);
        assertEverySplit("hello world", List.of("lo w", "world"), "hel", true);
        assertEverySplit("abcd", List.of("bcd", "abc"), "", true);
        assertEverySplit("xabcd", List.of("bcd", "cd", "abcz"), "xa", true);
    }

    @Test
    void aHeldBackPrefixThatIsNoStopIsReleased() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("</stop>"));
        assertEquals("a ", matcher.append("a </st"));
        assertEquals("</stack> b", matcher.append("ack> b"));
        assertEquals("", matcher.append("</"));
        assertEquals("</x", matcher.append("x"));
        assertFalse(matcher.stopped());
        assertEquals("", matcher.flush());
    }

    @Test
    void withoutAStopFlushReturnsTheRest() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("STOP", "\n\n"));
        assertEquals("The end", matcher.append("The end"));
        assertEquals(".", matcher.append(".\n")); // "\n" may begin "\n\n"
        assertEquals("\n", matcher.append("ST")); // "\nS" cannot begin a stop; "ST" may begin "STOP"
        assertFalse(matcher.stopped());
        assertEquals("ST", matcher.flush());
        assertEquals("", matcher.flush());
    }

    @Test
    void afterAStopTheRestIsDroppedAndAppendIsRefused() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("</s>"));
        assertEquals("ok", matcher.append("ok</s>more text"));
        assertTrue(matcher.stopped());
        assertEquals("", matcher.flush());
        assertThrows(IllegalStateException.class, () -> matcher.append("x"));
    }

    @Test
    void unicodeTextIsSplitOnlyOnWholeCharacters() {
        // 🙂 and 🛑 are surrogate pairs; splitting between their halves must not emit half a pair
        assertEverySplit("日本語🙂テキスト。終わり", List.of("。終"), "日本語🙂テキスト", true);
        assertEverySplit("héllo 🙂🛑 wörld", List.of("🛑"), "héllo 🙂", true);
        assertEverySplit("naïve 🙂 café", List.of("🛑", "cafè"), "naïve 🙂 café", false);
    }

    @Test
    void noStopStringsPassesEverythingThrough() {
        StopStringMatcher matcher = new StopStringMatcher(List.of());
        assertEquals("anything </s>", matcher.append("anything </s>"));
        assertFalse(matcher.stopped());
    }

    @Test
    void anEmptyStopStringIsRejected() {
        assertEquals("stop string 1 is empty", assertThrows(IllegalArgumentException.class,
                () -> new StopStringMatcher(List.of("</s>", ""))).getMessage());
    }
}
