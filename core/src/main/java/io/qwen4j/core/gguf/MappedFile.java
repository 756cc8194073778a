package io.qwen4j.core.gguf;

import io.qwen4j.core.ModelFormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A whole file mapped read-only into a shared arena, so that any thread may read it and closing unmaps it.
 * Open failures become {@link ModelFormatException}s that name the file.
 */
public final class MappedFile implements AutoCloseable {

    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private boolean closed;

    private MappedFile(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    public static MappedFile map(Path path) {
        if (Files.isDirectory(path)) {
            throw new ModelFormatException(path, "is a directory, expected a file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new MappedFile(path, arena, segment);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new ModelFormatException(path, "file not found");
        } catch (AccessDeniedException e) {
            arena.close();
            throw new ModelFormatException(path, "permission denied");
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw new ModelFormatException(path, "cannot map the file: " + e, e);
        }
    }

    public Path path() {
        return path;
    }

    /** The whole file; valid until {@link #close()}. */
    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return segment.byteSize();
    }

    /** Unmaps the file; slices of {@link #segment()} may no longer be read. Closing twice is harmless. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }
}
