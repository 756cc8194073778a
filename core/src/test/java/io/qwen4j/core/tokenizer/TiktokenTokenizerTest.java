package io.qwen4j.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qwen1's qwen.tiktoken against the tokenizer.json of the same vocabulary: the tiny model's truncated one and the
 * real 151,643-token one, plus the tiktoken merge rule against a direct implementation of it.
 */
class TiktokenTokenizerTest {

    private static final int SHARED_SPECIALS = 3; // <|endoftext|>, <|im_start|>, <|im_end|>

    @TempDir
    Path dir;

    private static Path qwen1Tiny() {
        return Fixtures.testdata().resolve("models/qwen1-tiny");
    }

    private static Path committedTinyFile() {
        return qwen1Tiny().resolve("tiktoken/qwen.tiktoken");
    }

    @Test
    void committedTinyFileIsTheTokenizerJsonVocabulary() throws IOException {
        byte[] expected = TiktokenFiles.fromTokenizerJson(qwen1Tiny().resolve("hf/tokenizer.json"));
        byte[] committed = Files.readAllBytes(committedTinyFile());
        assertEquals(new String(expected, java.nio.charset.StandardCharsets.US_ASCII),
                new String(committed, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(4096, new String(committed, java.nio.charset.StandardCharsets.US_ASCII).lines().count());
    }

    /** Corpus texts that hold no added token other than the three both tokenizers share. */
    private static List<Fixtures.EncodeCase> comparableCases(Tokenizer json, Tokenizer tiktoken, int regularCount) {
        Set<String> differing = new HashSet<>();
        for (Tokenizer t : List.of(json, tiktoken)) {
            for (int id = regularCount + SHARED_SPECIALS; id < t.vocabularySize(); id++) {
                differing.add(t.tokenText(id));
            }
        }
        List<Fixtures.EncodeCase> cases = new ArrayList<>();
        for (Fixtures.EncodeCase c : Fixtures.encodeCases()) {
            if (differing.stream().noneMatch(c.text()::contains)) {
                cases.add(c);
            }
        }
        return cases;
    }

    private static void assertSameSpecialsAtTheStart(Tokenizer json, Tokenizer tiktoken, int regularCount) {
        for (int i = 0; i < SHARED_SPECIALS; i++) {
            int id = regularCount + i;
            assertEquals(json.tokenText(id), tiktoken.tokenText(id));
            assertTrue(tiktoken.isSpecial(id));
        }
        for (int id = 0; id < regularCount; id++) {
            assertEquals(json.tokenText(id), tiktoken.tokenText(id));
        }
    }

    @Test
    void tinyTiktokenEncodesLikeItsTokenizerJsonTwin() {
        Tokenizer json = Tokenizer.fromTokenizerJson(qwen1Tiny().resolve("hf/tokenizer.json"));
        Tokenizer tiktoken = Tokenizer.fromTiktoken(committedTinyFile());
        assertEquals(4096 + 208, tiktoken.vocabularySize());
        assertSameSpecialsAtTheStart(json, tiktoken, 4096);
        List<Fixtures.EncodeCase> cases = comparableCases(json, tiktoken, 4096);
        assertEquals(332, cases.size());
        long tokens = 0;
        long bytes = 0;
        for (Fixtures.EncodeCase c : cases) {
            int[] ids = tiktoken.encode(c.text());
            assertArrayEquals(json.encode(c.text()), ids, c::toString);
            assertEquals(c.decoded(), tiktoken.decode(ids), c::toString);
            tokens += ids.length;
            bytes += c.decoded().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        System.out.println("tiny tiktoken: " + tokens + " tokens for " + bytes + " bytes");
        assertTrue(tokens < bytes * 0.7, "the corpus exercises merging: " + tokens + " tokens for " + bytes + " bytes");
    }

    @Test
    void tinyTiktokenGivesTheReferencePromptIds() {
        Tokenizer tiktoken = Tokenizer.fromDirectory(dirWith(committedTinyFile()));
        JsonNode prompts = Fixtures.readJson(qwen1Tiny().resolve("reference.json")).get("prompts");
        assertEquals(3, prompts.size());
        for (JsonNode prompt : prompts) {
            String text = prompt.get("text").textValue();
            int[] ids = Fixtures.ints(prompt.get("ids"));
            assertArrayEquals(ids, tiktoken.encode(text), prompt.get("name").textValue());
            assertEquals(text, tiktoken.decode(ids));
        }
        int[] chat = Fixtures.ints(prompts.get(1).get("ids"));
        assertEquals(4097, chat[0]);
        assertEquals("user\nWhat is 2+2?\nassistant\n", tiktoken.decode(chat, true));
    }

    /** A folder holding only a copy of the given qwen.tiktoken. */
    private Path dirWith(Path tiktoken) {
        try {
            Path folder = Files.createDirectories(dir.resolve("model"));
            Files.copy(tiktoken, folder.resolve("qwen.tiktoken"));
            return folder;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void realVocabularyFromTiktokenEncodesLikeTheQwen3TokenizerJson() {
        Path file = TiktokenFiles.write(dir.resolve("qwen.tiktoken"),
                TiktokenFiles.fromTokenizerJson(Fixtures.qwen3TokenizerJson()));
        long start = System.nanoTime();
        Tokenizer tiktoken = Tokenizer.fromTiktoken(file);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("loading the 151,643-line qwen.tiktoken took " + millis + " ms");
        Tokenizer json = Fixtures.qwen3();
        assertEquals(151_643 + 208, tiktoken.vocabularySize());
        assertEquals(151_643 + 207, tiktoken.tokenId("<|extra_204|>").orElseThrow());
        assertSameSpecialsAtTheStart(json, tiktoken, 151_643);
        List<Fixtures.EncodeCase> cases = comparableCases(json, tiktoken, 151_643);
        assertEquals(332, cases.size());
        for (Fixtures.EncodeCase c : cases) {
            int[] ids = tiktoken.encode(c.text());
            assertArrayEquals(json.encode(c.text()), ids, c::toString);
            assertArrayEquals(c.ids(), ids, c::toString);
            assertEquals(c.decoded(), tiktoken.decode(ids), c::toString);
        }
        // Every token is what BPE makes of its own bytes, so tiktoken's "a piece that is a token is that token"
        // shortcut agrees with tokenizer.json's ignore_merges=false for this vocabulary.
        BytePairEncoder bpe = tiktoken.bytePairEncoder();
        for (int id = 0; id < 151_643; id++) {
            int[] merged = bpe.encodeWith(ByteLevel.decodeToken(tiktoken.tokenText(id)), false);
            assertArrayEquals(new int[]{id}, merged, tiktoken.tokenText(id));
        }
    }

    @Test
    void specialTokensFollowTheRegularOnes() {
        Tokenizer tiktoken = Tokenizer.fromTiktoken(committedTinyFile());
        List<String> names = new ArrayList<>(List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"));
        for (int i = 0; i <= 204; i++) {
            names.add("<|extra_" + i + "|>");
        }
        for (int i = 0; i < names.size(); i++) {
            int id = 4096 + i;
            assertEquals(names.get(i), tiktoken.tokenText(id));
            assertEquals(id, tiktoken.tokenId(names.get(i)).orElseThrow());
            assertTrue(tiktoken.isSpecial(id));
            assertArrayEquals(new int[]{id}, tiktoken.encode(names.get(i)));
        }
        assertFalse(tiktoken.isSpecial(4095));
        assertFalse(tiktoken.isKnown(4096 + 208));
        int[] hi = tiktoken.encode("hi");
        int[] x = tiktoken.encode("x");
        assertEquals(1, x.length);
        IntList expected = new IntList(8);
        expected.add(4097);
        expected.addAll(hi);
        expected.add(4096 + 3 + 7);
        expected.add(4096 + 3 + 17);
        expected.add(x[0]);
        expected.add(4096 + 3 + 204);
        int[] ids = tiktoken.encode("<|im_start|>hi<|extra_7|><|extra_17|>x<|extra_204|>");
        assertArrayEquals(expected.toArray(), ids);
        assertEquals("<|im_start|>hi<|extra_7|><|extra_17|>x<|extra_204|>", tiktoken.decode(ids));
        assertEquals("hix", tiktoken.decode(ids, true));
    }

    @Test
    void textIsPutInNfcBeforeSpecialTokensAreFound() {
        // QWenTokenizer normalizes the whole text first: ">" + U+0338 composes to U+226F, so no <|im_end|> is left
        Tokenizer tiktoken = Tokenizer.fromTiktoken(committedTinyFile());
        int[] ids = tiktoken.encode("a<|im_end|>\u0338");
        for (int id : ids) {
            assertTrue(id < 4096, "regular ids only: " + java.util.Arrays.toString(ids));
        }
        assertEquals("a<|im_end|\u226F", tiktoken.decode(ids));
        // text around a special token is put in NFC as usual
        int[] around = tiktoken.encode("e\u0301<|im_end|>e\u0301");
        assertEquals("\u00e9<|im_end|>\u00e9", tiktoken.decode(around));
        assertArrayEquals(tiktoken.encode("\u00e9<|im_end|>\u00e9"), around);
        assertEquals(1, java.util.Arrays.stream(around).filter(id -> id == 4098).count());
    }

    @Test
    void fromDirectoryPrefersTokenizerJson() throws IOException {
        Path folder = dirWith(committedTinyFile());
        assertEquals(4096 + 208, Tokenizer.fromDirectory(folder).vocabularySize());
        Files.copy(qwen1Tiny().resolve("hf/tokenizer.json"), folder.resolve("tokenizer.json"));
        assertEquals(4122, Tokenizer.fromDirectory(folder).vocabularySize());
    }

    // ---- the tiktoken merge rule, implemented directly, against the rank-derived merges ----

    /** tiktoken's BPE on one piece: the piece itself if it is a token, else merge the lowest-ranked pair. */
    private static List<Integer> tiktokenReference(Map<String, Integer> ranks, byte[] piece) {
        String whole = ByteLevel.encode(piece);
        if (ranks.containsKey(whole)) {
            return List.of(ranks.get(whole));
        }
        List<String> parts = new ArrayList<>();
        for (byte b : piece) {
            parts.add(ByteLevel.encode(new byte[]{b}));
        }
        while (true) {
            int best = Integer.MAX_VALUE;
            int at = -1;
            for (int i = 0; i + 1 < parts.size(); i++) {
                Integer rank = ranks.get(parts.get(i) + parts.get(i + 1));
                if (rank != null && rank < best) {
                    best = rank;
                    at = i;
                }
            }
            if (at < 0) {
                break;
            }
            parts.set(at, parts.get(at) + parts.remove(at + 1));
        }
        return parts.stream().map(ranks::get).toList();
    }

    private static String randomWord(Random random, String alphabet, int min, int max) {
        StringBuilder sb = new StringBuilder();
        int length = min + random.nextInt(max - min + 1);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Test
    void rankDerivedMergesMakeTheSameChoicesAsTiktoken() throws IOException {
        Random random = new Random(20240601);
        int pieces = 0;
        int differentFromBytes = 0;
        for (int round = 0; round < 300; round++) {
            // all 256 bytes plus words over a small alphabet, so that many pairs compete; ranks in random order
            Set<String> words = new LinkedHashSet<>();
            int count = 3 + random.nextInt(40);
            while (words.size() < count) {
                words.add(randomWord(random, "abc", 2, 6));
            }
            List<byte[]> tokens = new ArrayList<>();
            for (int b = 0; b < 256; b++) {
                tokens.add(new byte[]{(byte) b});
            }
            words.forEach(w -> tokens.add(w.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            Collections.shuffle(tokens, random);
            Map<String, Integer> ranks = new HashMap<>();
            List<String> lines = new ArrayList<>();
            for (int rank = 0; rank < tokens.size(); rank++) {
                ranks.put(ByteLevel.encode(tokens.get(rank)), rank);
                lines.add(Base64.getEncoder().encodeToString(tokens.get(rank)) + " " + rank);
            }
            Collections.shuffle(lines, random); // ranks, not line order, decide
            Path file = TiktokenFiles.write(dir.resolve("random.tiktoken"), String.join("\n", lines) + "\n");
            Tokenizer tokenizer = Tokenizer.fromTiktoken(file);
            for (int i = 0; i < 30; i++) {
                String text = randomWord(random, "abc", 1, 14); // letters only: one pre-tokenized piece
                byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                List<Integer> expected = tiktokenReference(ranks, bytes);
                int[] actual = tokenizer.encode(text);
                assertEquals(expected, java.util.Arrays.stream(actual).boxed().toList(), () -> text + " " + ranks);
                // the heap path (long pieces) makes the same merges as the scan path
                int[] heap = tokenizer.bytePairEncoder().encodeWith(bytes, true);
                int[] scan = tokenizer.bytePairEncoder().encodeWith(bytes, false);
                assertArrayEquals(scan, heap);
                pieces++;
                if (expected.size() < bytes.length) {
                    differentFromBytes++;
                }
            }
        }
        assertEquals(9000, pieces);
        assertTrue(differentFromBytes > 6000, "most pieces are merged: " + differentFromBytes);
    }

    @Test
    void equalRanksGoToTheLeftmostPair() throws IOException {
        // "aa" is one token: in "aaa" both pairs are "aa"; tiktoken merges the left one
        List<String> lines = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            lines.add(Base64.getEncoder().encodeToString(new byte[]{(byte) b}) + " " + b);
        }
        lines.add(Base64.getEncoder().encodeToString("aa".getBytes()) + " 256");
        lines.add(Base64.getEncoder().encodeToString("ab".getBytes()) + " 257");
        lines.add(Base64.getEncoder().encodeToString("aab".getBytes()) + " 258");
        Tokenizer tokenizer = Tokenizer.fromTiktoken(TiktokenFiles.write(dir.resolve("t"), String.join("\n", lines)));
        assertArrayEquals(new int[]{256, 'a'}, tokenizer.encode("aaa"));
        // "aab": "aa" (256) beats "ab" (257), then "aa"+"b" is a token (258) by the split aa|b
        assertArrayEquals(new int[]{258}, tokenizer.encode("aab"));
        // "aaab": aa|a|b -> a|ab is not possible once aa formed; aa + ab? no: [aa][a][b] -> [aa][ab] (257)
        assertArrayEquals(new int[]{256, 257}, tokenizer.encode("aaab"));
    }
}
