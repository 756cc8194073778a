package io.qwen4j.core.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encoding rules beyond the golden corpus: lone surrogates, added-token matching, normalized added tokens. */
class TokenizerEncodeTest {

    @TempDir
    Path dir;

    @Test
    void loneSurrogatesAreEncodedAsReplacementCharacters() {
        Tokenizer tokenizer = Fixtures.qwen3();
        assertArrayEquals(tokenizer.encode("a\uFFFDb"), tokenizer.encode("a\uD800b"));
        assertArrayEquals(tokenizer.encode("\uFFFD\uFFFD"), tokenizer.encode("\uDC00\uD800"));
        assertArrayEquals(tokenizer.encode("x\uFFFD"), tokenizer.encode("x\uD83D"));
        assertEquals("\uD83D\uDE00 \uFFFD", tokenizer.decode(tokenizer.encode("\uD83D\uDE00 \uDE00")));
        assertEquals("\uFFFD<|im_end|>", tokenizer.decode(tokenizer.encode("\uD800<|im_end|>")));
    }

    @Test
    void addedTokensAreMatchedLeftmostThenLongest() {
        List<TokenizerSpec.AddedToken> added = List.of(
                new TokenizerSpec.AddedToken(300, "<a>", true, false),
                new TokenizerSpec.AddedToken(301, "<a>b", true, false),
                new TokenizerSpec.AddedToken(302, "x<a", false, false));
        Tokenizer tokenizer = new Tokenizer(SmallTokenizers.spec(List.of(), added, false));
        assertArrayEquals(new int[]{301, 'c'}, tokenizer.encode("<a>bc"));
        assertArrayEquals(new int[]{302, '>', 'b'}, tokenizer.encode("x<a>b"));
        assertArrayEquals(new int[]{' ', 300, ' '}, tokenizer.encode(" <a> "));
        assertArrayEquals(new int[]{300, 300}, tokenizer.encode("<a><a>"));
        assertEquals(303, tokenizer.vocabularySize());
        assertTrue(tokenizer.isSpecial(300));
        assertFalse(tokenizer.isSpecial(302));
        assertEquals("x<a", tokenizer.decode(new int[]{302}, true));
        assertEquals("", tokenizer.decode(new int[]{300, 301}, true));
    }

    @Test
    void qwenAddedTokensSplitTheTextBeforePreTokenization() {
        Tokenizer tokenizer = Fixtures.qwen3();
        int imEnd = tokenizer.tokenId("<|im_end|>").orElseThrow();
        int[] ids = tokenizer.encode("a   <|im_end|>");
        assertEquals(imEnd, ids[ids.length - 1]);
        assertEquals("   ", tokenizer.decode(new int[]{ids[1]})); // three spaces stay one piece at the segment end
        assertEquals(3, ids.length);
        assertFalse(Arrays.stream(tokenizer.encode("<|IM_END|> <|im_start <think >")).anyMatch(id -> id >= 151643));
    }

    @Test
    void normalizedAddedTokensMatchAfterNfc() throws IOException {
        ObjectNode json = (ObjectNode) Fixtures.readJson(
                Fixtures.testdata().resolve("models/qwen3-tiny/hf/tokenizer.json"));
        ObjectNode cafe = json.withArray("added_tokens").addObject();
        cafe.put("id", 4122).put("content", "caf\u00e9").put("special", false).put("normalized", true);
        Path file = dir.resolve("tokenizer.json");
        Fixtures.JSON.writeValue(file.toFile(), json);
        Tokenizer normalized = Tokenizer.fromTokenizerJson(file);
        assertArrayEquals(new int[]{4122}, normalized.encode("cafe\u0301"));
        assertArrayEquals(new int[]{4122}, normalized.encode("caf\u00e9"));

        cafe.put("normalized", false);
        Fixtures.JSON.writeValue(file.toFile(), json);
        Tokenizer raw = Tokenizer.fromTokenizerJson(file);
        assertArrayEquals(new int[]{4122}, raw.encode("caf\u00e9"));
        assertFalse(Arrays.stream(raw.encode("cafe\u0301")).anyMatch(id -> id == 4122));
    }

    @Test
    void ignoreMergesTakesAWholePieceThatIsAToken() {
        String[] regular = new String[257];
        for (int b = 0; b < 256; b++) {
            regular[b] = String.valueOf(ByteLevel.charOf(b));
        }
        regular[256] = "Ġabc";
        Tokenizer ignoring = new Tokenizer(new TokenizerSpec("test", regular, new String[0], new String[0],
                List.of(), true, true));
        Tokenizer merging = new Tokenizer(new TokenizerSpec("test", regular, new String[0], new String[0],
                List.of(), true, false));
        assertArrayEquals(new int[]{256, ' ', 'd'}, ignoring.encode(" abc d"));
        assertArrayEquals(new int[]{' ', 'a', 'b', 'c', ' ', 'd'}, merging.encode(" abc d"));
    }

    @Test
    void tokenTextOfAnUnknownIdIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.qwen3().tokenText(151669));
        assertEquals("token id 151669 is not known to this tokenizer (vocabulary size 151669)", e.getMessage());
    }

    @Test
    void cachedAndUncachedEncodingsAgree() {
        Tokenizer fresh = Tokenizer.fromTokenizerJson(Fixtures.qwen3TokenizerJson());
        for (Fixtures.EncodeCase c : Fixtures.encodeCases()) {
            int[] first = fresh.encode(c.text());
            assertArrayEquals(c.ids(), first, c::toString);
            assertArrayEquals(first, fresh.encode(c.text()), c::toString);
        }
    }
}
