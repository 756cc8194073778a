package io.qwen4j.core.tokenizer;

import io.qwen4j.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reading qwen.tiktoken: the layout accepted, and one-line messages with line numbers for malformed files. */
class TiktokenReaderTest {

    @TempDir
    Path dir;

    /** The 256 byte tokens (rank = byte value), then "ab" 256 and "abc" 257: lines 1..258. */
    private static List<String> validLines() {
        List<String> lines = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            lines.add(base64(new byte[]{(byte) b}) + " " + b);
        }
        lines.add(base64("ab".getBytes()) + " 256");
        lines.add(base64("abc".getBytes()) + " 257");
        return lines;
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private Path write(List<String> lines) {
        return TiktokenFiles.write(dir.resolve("qwen.tiktoken"), String.join("\n", lines) + "\n");
    }

    private void assertRejected(List<String> lines, String expectedProblem) {
        Path file = write(lines);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromTiktoken(file));
        assertEquals(file + ": " + expectedProblem, e.getMessage());
    }

    @Test
    void validFileWithCrLfBlankLinesAndAnyLineOrder() {
        List<String> lines = validLines();
        java.util.Collections.reverse(lines);
        lines.add(3, "");
        Path file = TiktokenFiles.write(dir.resolve("qwen.tiktoken"), String.join("\r\n", lines) + "\r\n");
        Tokenizer tokenizer = Tokenizer.fromTiktoken(file);
        assertEquals(258 + 208, tokenizer.vocabularySize());
        assertArrayEquals(new int[]{257}, tokenizer.encode("abc"));
        assertArrayEquals(new int[]{256, 'd'}, tokenizer.encode("abd"));
        assertArrayEquals(new int[]{258, 257, 260}, tokenizer.encode("<|endoftext|>abc<|im_end|>"));
        assertEquals("abc", tokenizer.tokenText(257));
        assertEquals("Ġ", tokenizer.tokenText(' ')); // regular tokens are shown in byte-level form, as tokenizer.json
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("absent.tiktoken");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromTiktoken(file));
        assertEquals(file + ": file not found", e.getMessage());
    }

    @Test
    void emptyFile() {
        assertRejected(List.of(), "no tokens");
    }

    @Test
    void wrongColumnCount() {
        List<String> lines = validLines();
        lines.set(10, base64(new byte[]{10}));
        assertRejected(lines, "line 11: expected 2 columns (base64 token, rank), found 1");
        lines = validLines();
        lines.set(4, lines.get(4) + " 7");
        assertRejected(lines, "line 5: expected 2 columns (base64 token, rank), found 3");
        lines = validLines();
        lines.set(0, "   ");
        assertRejected(lines, "line 1: expected 2 columns (base64 token, rank), found 0");
    }

    @Test
    void badBase64() {
        List<String> lines = validLines();
        lines.set(99, "a*b= 99");
        assertRejected(lines, "line 100: \"a*b=\" is not valid base64");
        lines.set(99, "Y 99"); // a single base64 char cannot make a byte
        assertRejected(lines, "line 100: \"Y\" is not valid base64");
        lines.set(99, "== 99"); // padding alone: no token is empty
        assertRejected(lines, "line 100: \"==\" is not valid base64");
    }

    @Test
    void badRank() {
        List<String> lines = validLines();
        lines.set(2, base64(new byte[]{2}) + " -2");
        assertRejected(lines, "line 3: rank \"-2\" is not a non-negative integer");
        lines.set(2, base64(new byte[]{2}) + " two");
        assertRejected(lines, "line 3: rank \"two\" is not a non-negative integer");
        lines.set(2, base64(new byte[]{2}) + " 99999999999");
        assertRejected(lines, "line 3: rank \"99999999999\" is not a non-negative integer");
    }

    @Test
    void duplicateRank() {
        List<String> lines = validLines();
        lines.set(257, base64("abc".getBytes()) + " 12");
        assertRejected(lines, "line 258: rank 12 is also on line 13");
    }

    @Test
    void missingRank() {
        List<String> lines = validLines();
        lines.set(256, base64("ab".getBytes()) + " 300");
        assertRejected(lines, "line 257: rank 300 is out of range: 258 tokens must have the ranks 0..257, each once "
                + "(rank 256 is missing)");
    }

    @Test
    void duplicateToken() {
        List<String> lines = validLines();
        lines.add(base64("ab".getBytes()) + " 258");
        assertRejected(lines, "line 259: token YWI= is also on line 257");
    }

    @Test
    void aByteWithoutToken() {
        List<String> lines = validLines().subList(1, 258); // no byte 0x00; ranks 1..257 then lack rank 0
        List<String> renumbered = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            renumbered.add(lines.get(i).split(" ")[0] + " " + i);
        }
        assertRejected(renumbered, "the vocabulary has no token for byte 0x00 (\"Ā\")");
    }

    @Test
    void folderWithoutTokenizer() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizer.fromDirectory(dir));
        assertEquals(dir + ": no tokenizer.json or qwen.tiktoken in this folder", e.getMessage());
    }
}
