package io.qwen4j.core.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real Qwen3 tokenizer against the outputs of Hugging Face tokenizers (testdata/tokenizer). */
class TokenizerGoldenTest {

    static List<Fixtures.EncodeCase> encodeCases() {
        return Fixtures.encodeCases();
    }

    static List<Fixtures.DecodeCase> decodeCases() {
        return Fixtures.decodeCases();
    }

    @Test
    void fixturesAreComplete() {
        assertEquals(345, encodeCases().size());
        assertEquals(23, decodeCases().size());
    }

    @ParameterizedTest
    @MethodSource("encodeCases")
    void encodesLikeHuggingFace(Fixtures.EncodeCase c) {
        assertArrayEquals(c.ids(), Fixtures.qwen3().encode(c.text()));
    }

    @ParameterizedTest
    @MethodSource("encodeCases")
    void decodesLikeHuggingFace(Fixtures.EncodeCase c) {
        assertEquals(c.decoded(), Fixtures.qwen3().decode(c.ids()));
    }

    @ParameterizedTest
    @MethodSource("decodeCases")
    void decodeOnlyCases(Fixtures.DecodeCase c) {
        assertEquals(c.decoded(), Fixtures.qwen3().decode(c.ids(), c.skipSpecialTokens()));
    }

    @ParameterizedTest
    @MethodSource("encodeCases")
    void streamingDecodeOfValidTextNeverShowsReplacementCharacters(Fixtures.EncodeCase c) {
        StreamingDecoder decoder = Fixtures.qwen3().newStreamingDecoder(false);
        StringBuilder all = new StringBuilder();
        boolean textHasReplacement = c.decoded().indexOf(Utf8.REPLACEMENT) >= 0;
        for (int id : c.ids()) {
            String piece = decoder.append(id);
            if (!textHasReplacement) {
                assertEquals(-1, piece.indexOf(Utf8.REPLACEMENT), () -> "half a character emitted: " + piece);
            }
            all.append(piece);
        }
        all.append(decoder.flush());
        assertEquals(c.decoded(), all.toString());
    }

    @ParameterizedTest
    @MethodSource("decodeCases")
    void streamingDecodeEqualsFullDecode(Fixtures.DecodeCase c) {
        StreamingDecoder decoder = Fixtures.qwen3().newStreamingDecoder(c.skipSpecialTokens());
        StringBuilder all = new StringBuilder();
        for (int id : c.ids()) {
            all.append(decoder.append(id));
        }
        all.append(decoder.flush());
        assertEquals(c.decoded(), all.toString());
    }

    @Test
    void streamingDecoderHoldsBackAnIncompleteCharacterUntilItIsComplete() {
        Tokenizer tokenizer = Fixtures.qwen3();
        StreamingDecoder decoder = tokenizer.newStreamingDecoder(false);
        // 9284, 104, 254 are the three BPE tokens of U+1FAE0 (F0 9F AB A0)
        assertEquals("", decoder.append(9284));
        assertEquals("", decoder.append(104));
        assertEquals("\uD83E\uDEE0", decoder.append(254));
        assertEquals("", decoder.flush());
        // an incomplete character followed by ASCII is replaced as soon as it cannot be completed
        assertEquals("", decoder.append(9284));
        assertEquals("\uFFFD<|im_end|>", decoder.append(151645));
        // and an incomplete tail at the end becomes one U+FFFD on flush
        assertEquals("", decoder.append(9284));
        assertEquals("\uFFFD", decoder.flush());
        assertEquals("", decoder.flush());
    }

    @Test
    void specialTokensAreSkippedOnlyWhenFlaggedSpecial() {
        Tokenizer tokenizer = Fixtures.qwen3();
        int imEnd = tokenizer.tokenId("<|im_end|>").orElseThrow();
        int think = tokenizer.tokenId("<think>").orElseThrow();
        assertEquals(151645, imEnd);
        assertEquals(151667, think);
        assertTrue(tokenizer.isSpecial(imEnd));
        assertFalse(tokenizer.isSpecial(think));
        StreamingDecoder decoder = tokenizer.newStreamingDecoder(true);
        assertEquals("", decoder.append(imEnd));
        assertEquals("<think>", decoder.append(think));
    }

    @Test
    void vocabularyFacts() {
        Tokenizer tokenizer = Fixtures.qwen3();
        assertEquals(151669, tokenizer.vocabularySize());
        assertEquals("Ġthe", tokenizer.tokenText(279));
        assertEquals(279, tokenizer.tokenId("Ġthe").orElseThrow());
        assertEquals("<|endoftext|>", tokenizer.tokenText(151643));
        assertTrue(tokenizer.tokenId("<|IM_END|>").isEmpty());
        assertFalse(tokenizer.isKnown(151669));
        assertFalse(tokenizer.isSpecial(151669));
        assertFalse(tokenizer.isSpecial(-1));
    }

    @Test
    void unknownIdsAreSkippedByDecode() {
        Tokenizer tokenizer = Fixtures.qwen3();
        assertEquals("Hello world", tokenizer.decode(new int[]{9707, 151669, -5, 151935, 1879, Integer.MAX_VALUE}));
        StreamingDecoder decoder = tokenizer.newStreamingDecoder(false);
        assertEquals("", decoder.append(151700));
        assertEquals("Hello", decoder.append(9707));
    }

    @Test
    void emptyTextAndEmptyIds() {
        assertArrayEquals(new int[0], Fixtures.qwen3().encode(""));
        assertEquals("", Fixtures.qwen3().decode(new int[0]));
    }
}
