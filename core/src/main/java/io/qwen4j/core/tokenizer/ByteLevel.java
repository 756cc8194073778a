package io.qwen4j.core.tokenizer;

/**
 * The GPT-2 byte-level alphabet: every byte is shown as one printable character, so that a byte string can be
 * stored as a token string. Printable Latin-1 bytes stand for themselves; the other 68 bytes, in increasing
 * order, take the characters U+0100, U+0101, ... (space becomes {@code Ġ}, newline {@code Ċ}).
 */
final class ByteLevel {

    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Indexed by character (all mapped characters are below U+0144); -1 where the character stands for no byte. */
    private static final short[] CHAR_TO_BYTE = new short[0x144];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (0x100 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    private ByteLevel() {
    }

    static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The byte a character stands for, or -1 if it is not part of the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The byte-level string of all of {@code bytes}. */
    static String encode(byte[] bytes) {
        return encode(bytes, bytes.length);
    }

    /** The byte-level form of {@code bytes[0, length)}: one character per byte. */
    static String encode(byte[] bytes, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /**
     * The bytes a token string stands for, as Hugging Face's ByteLevel decoder computes them: if every character is
     * in the alphabet, the bytes those characters stand for; otherwise the token's own UTF-8 text.
     */
    static byte[] decodeToken(String token) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) {
                return token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}
