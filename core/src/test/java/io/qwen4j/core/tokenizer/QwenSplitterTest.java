package io.qwen4j.core.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-written scanner against java.util.regex running the same pattern with Unicode classes. */
class QwenSplitterTest {

    private static final Pattern REFERENCE = Pattern.compile(QwenSplitter.PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    private static List<String> byScanner(String s) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < s.length(); ) {
            int end = QwenSplitter.pieceEnd(s, i, s.length());
            pieces.add(s.substring(i, end));
            i = end;
        }
        return pieces;
    }

    private static List<String> byRegex(String s) {
        List<String> pieces = new ArrayList<>();
        Matcher m = REFERENCE.matcher(s);
        int last = 0;
        while (m.find()) {
            assertEquals(last, m.start(), "the pattern left a gap in " + Fixtures.preview(s));
            pieces.add(m.group());
            last = m.end();
        }
        assertEquals(s.length(), last);
        return pieces;
    }

    @Test
    void examplesFromTheFixtureReadme() {
        assertEquals(List.of("  ", " x"), byScanner("   x"));
        assertEquals(List.of("I", "'LL", " do", " it", "'ſ"), byScanner("I'LL do it'ſ"));
        assertEquals(List.of("1", "2", "3", "½", "①", "Ⅻ", "¹"), byScanner("123½①Ⅻ¹"));
        assertEquals(List.of("a", "\r\n\n", "  ", " b", "  "), byScanner("a\r\n\n   b  "));
        // U+0085 is white space (the single space before it backs off) and may lead a word
        assertEquals(List.of(" ", "\u0085the"), byScanner(" \u0085the"));
        assertEquals(List.of(" \uFEFF", "the"), byScanner(" \uFEFFthe")); // U+FEFF is not white space
        assertEquals(List.of("x", " {}\n", "\ty"), byScanner("x {}\n\ty")); // a tab may lead a word
        assertEquals(List.of("\uD83D\uDE00abc", " \uD83D\uDE00\uD83D\uDE00"), byScanner("😀abc 😀😀"));
    }

    @Test
    void characterClassesMatchUnicodeRegexClassesForEveryCodePoint() {
        Matcher space = Pattern.compile("\\s", Pattern.UNICODE_CHARACTER_CLASS).matcher("");
        Matcher letter = Pattern.compile("\\p{L}").matcher("");
        Matcher number = Pattern.compile("\\p{N}").matcher("");
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            String s = Character.toString(c);
            byte expected = space.reset(s).matches()
                    ? (c == '\r' || c == '\n' ? QwenSplitter.NEWLINE : QwenSplitter.SPACE)
                    : letter.reset(s).matches() ? QwenSplitter.LETTER
                    : number.reset(s).matches() ? QwenSplitter.NUMBER : QwenSplitter.OTHER;
            int cp = c;
            assertEquals(expected, QwenSplitter.classOf(c), () -> String.format("U+%04X", cp));
        }
    }

    @Test
    void contractionLettersFoldExactlyAsUnicodeCaseFolding() {
        for (char letter : "stmdrevl".toCharArray()) {
            Matcher m = Pattern.compile("(?iu)" + letter).matcher("");
            StringBuilder matches = new StringBuilder();
            for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
                if (m.reset(Character.toString(c)).matches()) {
                    matches.appendCodePoint(c);
                }
            }
            String expected = letter == 's' ? "Ss\u017F" : "" + Character.toUpperCase(letter) + letter;
            assertEquals(expected, matches.toString());
        }
    }

    @Test
    void agreesWithRegexOnTheGoldenCorpus() {
        for (Fixtures.EncodeCase c : Fixtures.encodeCases()) {
            assertEquals(byRegex(c.text()), byScanner(c.text()), c::toString);
            assertEquals(byRegex(c.decoded()), byScanner(c.decoded()), c::toString);
        }
    }

    @Test
    void agreesWithRegexOnRandomStrings() {
        int[] alphabet = {' ', ' ', ' ', '\t', '\n', '\r', 0x0B, 0x0C, 0x85, 0xA0, 0x1680, 0x2007, 0x2028, 0x202F,
                0x3000, 0xFEFF, 0x200B, 0x180E, 0x1C, 'a', 'b', 'Z', 's', 'S', 't', 'r', 'R', 'e', 'E', 'v', 'l',
                'L', 'm', 'd', 'D', 0x17F, 0x212A, 0x130, 'é', '中', 0x1D49C, '0', '7', '½', '①', 0x1D7D9, '\'',
                '\'', '.', ',', '!', '{', '"', 0x1F600, 0x301, 0x200D, '-', '_', 0xE000, 0x10FFFD};
        Random random = new Random(20260515);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(24);
            for (int i = 0; i < length; i++) {
                sb.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
            }
            String s = sb.toString();
            assertEquals(byRegex(s), byScanner(s), () -> Fixtures.preview(s));
        }
    }

    @Test
    void agreesWithRegexOnRandomCodePoints() {
        Random random = new Random(7);
        for (int round = 0; round < 5_000; round++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(16);
            for (int i = 0; i < length; i++) {
                int c = random.nextInt(4) == 0 ? random.nextInt(0x80) : random.nextInt(0x30000);
                if (!Character.isSurrogate((char) c) || c > 0xFFFF) {
                    sb.appendCodePoint(c);
                }
            }
            String s = sb.toString();
            assertEquals(byRegex(s), byScanner(s), () -> Fixtures.preview(s));
        }
    }

    @Test
    void aSegmentEndIsTheEndOfTheTextForTheLookahead() {
        // "a   " inside "a   <|im_end|>": the spaces before the segment end stay one piece
        String s = "a   b";
        assertEquals(4, QwenSplitter.pieceEnd(s, 1, 4));
        assertEquals(3, QwenSplitter.pieceEnd(s, 1, 5));
    }
}
