package io.qwen4j.core.convert;

import io.qwen4j.core.ModelFormatException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A base model's log-probabilities at every position a perplexity run scores, for comparing another model with
 * it (the role of llama-perplexity's {@code --kl-divergence-base} file). Stored exactly, as float32, so a model
 * compared with itself gives a divergence of 0; that costs {@code 4 x vocab} bytes per scored token.
 *
 * <p>Layout, little-endian: the 8 bytes {@code QWEN4JLP}, int32 version (1), vocab, context size, token count
 * {@code n}; n int32 token ids (the whole evaluated text, so a comparison can check it runs on the same tokens);
 * then one row of vocab float32 log-probabilities per scored position, chunk by chunk.
 */
public final class LogitsFile implements AutoCloseable {

    private static final byte[] MAGIC = "QWEN4JLP".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int HEADER = MAGIC.length + 4 * 4;

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final int vocab;
    private final int contextLength;
    private final int[] tokens;
    private final long rowsAt;
    private final long rows;

    private LogitsFile(Path path, Arena arena, MemorySegment data, int vocab, int contextLength, int[] tokens) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.vocab = vocab;
        this.contextLength = contextLength;
        this.tokens = tokens;
        this.rowsAt = HEADER + 4L * tokens.length;
        this.rows = (data.byteSize() - rowsAt) / (4L * vocab);
    }

    /** Maps a file written by {@link Writer}. */
    public static LogitsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            if (m.byteSize() < HEADER || m.asSlice(0, MAGIC.length).mismatch(MemorySegment.ofArray(MAGIC)) != -1) {
                throw new ModelFormatException(path, "not a qwen4j logits file (made by perplexity --save-logits)");
            }
            int version = m.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8);
            if (version != VERSION) {
                throw new ModelFormatException(path, "logits file version " + version + ", expected " + VERSION);
            }
            int vocab = intAt(m, 12);
            int ctx = intAt(m, 16);
            int n = intAt(m, 20);
            if (vocab <= 0 || ctx < 2 || n < ctx || HEADER + 4L * n > m.byteSize()) {
                throw new ModelFormatException(path, "bad header (vocab " + vocab + ", context " + ctx + ", tokens " + n + ")");
            }
            int[] tokens = new int[n];
            MemorySegment.copy(m, ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), HEADER, tokens, 0, n);
            LogitsFile f = new LogitsFile(path, arena, m, vocab, ctx, tokens);
            long expected = (long) (n / ctx) * Perplexity.scoredPerChunk(ctx);
            if (f.rows != expected || f.rowsAt + f.rows * 4L * vocab != m.byteSize()) {
                throw new ModelFormatException(path, "holds " + f.rows + " rows of log-probabilities, expected "
                        + expected + " (truncated?)");
            }
            return f;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static int intAt(MemorySegment m, long at) {
        return m.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at);
    }

    public int contextLength() {
        return contextLength;
    }

    public int vocabularySize() {
        return vocab;
    }

    /** Fails unless this file was made over these tokens with this context size and vocabulary. */
    void checkMatches(int modelVocab, int ctx, int[] evaluated, int chunks) {
        if (modelVocab != vocab) {
            throw new IllegalArgumentException(path + ": the base model has " + vocab + " vocabulary rows, this one "
                    + modelVocab);
        }
        if (ctx != contextLength) {
            throw new IllegalArgumentException(path + ": the base logits were computed with a context of "
                    + contextLength + " tokens, not " + ctx);
        }
        if (!Arrays.equals(tokens, 0, tokens.length, evaluated, 0, Math.min(evaluated.length, chunks * ctx))) {
            throw new IllegalArgumentException(path + ": the base logits were computed on another text (or another "
                    + "tokenization of it)");
        }
    }

    void readRow(long row, float[] dst) {
        if (row >= rows) {
            throw new IllegalArgumentException(path + ": no row " + row + " (" + rows + " rows)");
        }
        MemorySegment.copy(data, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                rowsAt + row * 4L * vocab, dst, 0, vocab);
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Writes a logits file as a perplexity run produces the rows. */
    public static final class Writer implements AutoCloseable {
        private final OutputStream out;
        private final ByteBuffer row;

        /** Starts a file for {@code tokens} (those of whole chunks) evaluated with this context size. */
        public Writer(Path path, int vocab, int contextLength, int[] tokens) throws IOException {
            int n = tokens.length / contextLength * contextLength;
            this.out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20);
            this.row = ByteBuffer.allocate(4 * Math.max(vocab, 6 + n)).order(ByteOrder.LITTLE_ENDIAN);
            row.put(MAGIC).putInt(VERSION).putInt(vocab).putInt(contextLength).putInt(n);
            for (int i = 0; i < n; i++) {
                row.putInt(tokens[i]);
            }
            out.write(row.array(), 0, row.position());
            row.clear();
        }

        void writeRow(double[] logProbs) throws IOException {
            row.clear();
            for (double v : logProbs) {
                row.putFloat((float) v);
            }
            out.write(row.array(), 0, row.position());
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
