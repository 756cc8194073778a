package io.qwen4j.core.tokenizer;

import java.util.Arrays;

/**
 * Turns generated ids into text as they come. A token can end in the middle of a UTF-8 character (emoji and CJK
 * are often split over several tokens); such an incomplete tail is held back until the bytes that complete it
 * arrive, so no half character is ever printed. Bytes that can no longer become valid are emitted as U+FFFD by the
 * same maximal-subpart rule as {@link Tokenizer#decode}, so the concatenation of all {@link #append} results and
 * {@link #flush} equals the decode of all ids at once. Not thread-safe: one decoder per generation.
 */
public final class StreamingDecoder {

    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private byte[] pending = new byte[16];
    private int pendingLength;

    StreamingDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one id; returns the text that is now complete (possibly empty). */
    public String append(int id) {
        byte[] bytes = tokenizer.bytesOf(id, skipSpecialTokens);
        if (bytes == null || bytes.length == 0) {
            return "";
        }
        if (pendingLength + bytes.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + bytes.length));
        }
        System.arraycopy(bytes, 0, pending, pendingLength, bytes.length);
        pendingLength += bytes.length;
        char[] chars = new char[pendingLength];
        long result = Utf8.decode(pending, 0, pendingLength, chars, false);
        int stop = (int) (result >>> 32);
        System.arraycopy(pending, stop, pending, 0, pendingLength - stop);
        pendingLength -= stop;
        return new String(chars, 0, (int) result);
    }

    /** Ends the stream: whatever is held back, decoded with replacement (an incomplete character becomes U+FFFD). */
    public String flush() {
        String rest = Utf8.decodeLossy(pending, 0, pendingLength);
        pendingLength = 0;
        return rest;
    }
}
