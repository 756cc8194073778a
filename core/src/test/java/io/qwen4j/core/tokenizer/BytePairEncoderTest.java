package io.qwen4j.core.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BytePairEncoderTest {

    private static String[] texts(Tokenizer tokenizer, String text) {
        return java.util.Arrays.stream(tokenizer.encode(text)).mapToObj(tokenizer::tokenText).toArray(String[]::new);
    }

    private static void assertBothAlgorithms(BytePairEncoder bpe, byte[] bytes, int[] expected) {
        assertArrayEquals(expected, bpe.encodeWith(bytes, false));
        assertArrayEquals(expected, bpe.encodeWith(bytes, true));
    }

    @Test
    void lowestRankFirstRegardlessOfPosition() {
        Tokenizer tokenizer = SmallTokenizers.tokenizer("b c", "a b");
        assertArrayEquals(new String[]{"a", "bc"}, texts(tokenizer, "abc"));
        Tokenizer reversed = SmallTokenizers.tokenizer("a b", "b c");
        assertArrayEquals(new String[]{"ab", "c"}, texts(reversed, "abc"));
    }

    @Test
    void leftmostPairFirstWhenRanksTie() {
        Tokenizer pairs = SmallTokenizers.tokenizer("a a");
        assertArrayEquals(new String[]{"aa", "a"}, texts(pairs, "aaa"));
        assertArrayEquals(new String[]{"aa", "aa", "a"}, texts(pairs, "aaaaa"));
        int aa = pairs.tokenId("aa").orElseThrow();
        assertBothAlgorithms(pairs.bytePairEncoder(), "aaaaa".getBytes(StandardCharsets.US_ASCII),
                new int[]{aa, aa, 'a'});

        // all rank-0 merges happen (left to right) before "aa a" may join the last aa with the trailing a
        Tokenizer chained = SmallTokenizers.tokenizer("a a", "aa a");
        assertArrayEquals(new String[]{"aaa"}, texts(chained, "aaa"));
        assertArrayEquals(new String[]{"aa", "aa"}, texts(chained, "aaaa"));
        assertArrayEquals(new String[]{"aa", "aaa"}, texts(chained, "aaaaa"));
        int aaa = chained.tokenId("aaa").orElseThrow();
        assertBothAlgorithms(chained.bytePairEncoder(), "aaaaa".getBytes(StandardCharsets.US_ASCII),
                new int[]{aa, aaa});
    }

    @Test
    void aMergeCanUseTheResultOfAnEarlierOne() {
        Tokenizer tokenizer = SmallTokenizers.tokenizer("Ġ t", "h e", "Ġt he");
        assertArrayEquals(new String[]{"Ġthe"}, texts(tokenizer, " the"));
        assertArrayEquals(new String[]{"Ġt", "h", "Ġthe"}, texts(tokenizer, " th the"));
    }

    @Test
    void scanAndHeapMakeTheSameMergesOnRealText() {
        BytePairEncoder bpe = Fixtures.qwen3().bytePairEncoder();
        Random random = new Random(1234);
        List<Fixtures.EncodeCase> cases = Fixtures.encodeCases();
        for (int round = 0; round < 3_000; round++) {
            String text = cases.get(random.nextInt(cases.size())).decoded();
            byte[] all = text.getBytes(StandardCharsets.UTF_8);
            int from = random.nextInt(all.length + 1);
            int to = Math.min(all.length, from + random.nextInt(300));
            byte[] piece = java.util.Arrays.copyOfRange(all, from, to);
            assertArrayEquals(bpe.encodeWith(piece, false), bpe.encodeWith(piece, true), text);
        }
        for (int round = 0; round < 1_000; round++) {
            byte[] piece = new byte[random.nextInt(200)];
            String alphabet = round % 2 == 0 ? "ab " : "\u00e9\u4f60\n\t x";
            byte[] letters = alphabet.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < piece.length; i++) {
                piece[i] = round % 3 == 0 ? (byte) random.nextInt(256) : letters[random.nextInt(letters.length)];
            }
            assertArrayEquals(bpe.encodeWith(piece, false), bpe.encodeWith(piece, true));
        }
    }

    @Test
    void longPiecesUseTheHeapAndMatchTheGoldenIds() {
        // a 1,000-character word of the corpus is one piece, far above the scan limit
        Fixtures.EncodeCase longest = Fixtures.encodeCases().stream()
                .max(java.util.Comparator.comparingInt(c -> c.text().length())).orElseThrow();
        assertEquals(true, longest.text().length() > BytePairEncoder.LINEAR_LIMIT);
        assertArrayEquals(longest.ids(), Fixtures.qwen3().encode(longest.text()));
        String repeated = "a".repeat(1000);
        int[] ids = Fixtures.qwen3().encode(repeated);
        assertEquals(repeated, Fixtures.qwen3().decode(ids));
        assertArrayEquals(Fixtures.qwen3().bytePairEncoder().encodeWith(repeated.getBytes(StandardCharsets.US_ASCII),
                false), ids);
    }
}
