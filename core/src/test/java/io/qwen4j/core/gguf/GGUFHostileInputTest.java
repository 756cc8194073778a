package io.qwen4j.core.gguf;

import io.qwen4j.core.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files that are missing, foreign, cut short or crafted to break a reader: each gives one clear error. */
class GGUFHostileInputTest {

    @TempDir
    Path dir;

    /** Opens {@code file} expecting a failure, and checks the message names the file and contains {@code part}. */
    static String rejects(Path file, String part) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GGUFFile.open(file).close());
        String message = e.getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        assertTrue(message.contains(part), () -> "expected '" + part + "' in: " + message);
        assertEquals(-1, message.indexOf('\n'), message);
        return message;
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("nope.gguf");
        assertEquals(missing + ": file not found", rejects(missing, "not found"));
    }

    @Test
    void directory() {
        rejects(dir, "is a directory");
    }

    @Test
    void textFile() throws IOException {
        Path text = Files.writeString(dir.resolve("readme.gguf"), "Hello, this is not a model.\n");
        assertEquals(text + ": not a GGUF file: it starts with bytes 48 65 6c 6c, expected 47 47 55 46 (\"GGUF\")",
                rejects(text, "not a GGUF file"));
    }

    @Test
    void emptyAndTinyFiles() throws IOException {
        rejects(Files.write(dir.resolve("empty.gguf"), new byte[0]), "not a GGUF file: only 0 bytes long");
        rejects(Files.write(dir.resolve("three.gguf"), "GGU".getBytes(StandardCharsets.US_ASCII)),
                "only 3 bytes long");
        rejects(Files.write(dir.resolve("magic.gguf"), "GGUF".getBytes(StandardCharsets.US_ASCII)),
                "truncated at offset 4 while reading version");
    }

    @Test
    void versions() throws IOException {
        rejects(RawGGUF.header(1, 0, 0).write(dir.resolve("v1.gguf")), "GGUF version 1 is not supported");
        rejects(RawGGUF.header(4, 0, 0).write(dir.resolve("v4.gguf")), "unsupported GGUF version 4");
        rejects(RawGGUF.header(-1, 0, 0).write(dir.resolve("vmax.gguf")), "unsupported GGUF version 4294967295");
        rejects(RawGGUF.header(0x03000000, 0, 0).write(dir.resolve("be.gguf")), "big-endian");
        for (int version : new int[] {2, 3}) {
            try (GGUFFile empty = GGUFFile.open(RawGGUF.header(version, 0, 0).write(dir.resolve("ok.gguf")))) {
                assertEquals(version, empty.version());
                assertTrue(empty.metadata().isEmpty());
                assertTrue(empty.tensors().isEmpty());
            }
        }
    }

    @Test
    void truncatedCopiesOfARealFile() throws IOException {
        byte[] full = Files.readAllBytes(GGUFFileTest.QWEN3);
        long infosEnd = 131315;
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i <= 40; i++) {
            cuts.add(i); // magic, version, counts, first key
        }
        for (int i = 41; i < infosEnd; i += 997) {
            cuts.add(i); // all through the metadata (strings, token arrays, the chat template)
        }
        for (int i = (int) infosEnd - 1200; i < infosEnd; i += 37) {
            cuts.add(i); // inside the tensor infos
        }
        cuts.add((int) infosEnd - 1);
        for (int cut : cuts) {
            Path file = Files.write(dir.resolve("cut" + cut + ".gguf"), Arrays.copyOf(full, cut));
            String message = rejects(file, "");
            assertTrue(message.contains("truncated at offset") || message.contains("left in the file")
                    || message.contains("not a GGUF file"), message);
            Files.delete(file);
        }
        // Cut in the padding or the data: the header parses, and the tensor that no longer fits is named.
        int[] dataCuts = {(int) infosEnd, (int) GGUFFileTest.QWEN3_DATA_START, 2_000_000, full.length - 1};
        String[] victims = {"token_embd.weight", "token_embd.weight", "token_embd.weight", "output_norm.weight"};
        for (int i = 0; i < dataCuts.length; i++) {
            Path file = Files.write(dir.resolve("data" + i + ".gguf"), Arrays.copyOf(full, dataCuts[i]));
            String message = rejects(file, "tensor '" + victims[i] + "' data");
            assertTrue(message.contains("lies outside the file of " + dataCuts[i] + " bytes"), message);
        }
    }

    @Test
    void hugeCounts() throws IOException {
        rejects(RawGGUF.header(3, Long.MAX_VALUE, 0).write(dir.resolve("t.gguf")),
                "tensor count at offset 8 is 9223372036854775807, but the 8 bytes left in the file hold at most 0");
        rejects(RawGGUF.header(3, -1, 0).write(dir.resolve("t2.gguf")), "is 18446744073709551615");
        rejects(RawGGUF.header(3, 0, 1L << 40).zeros(100).write(dir.resolve("kv.gguf")),
                "metadata entry count at offset 16 is 1099511627776");
        rejects(RawGGUF.header(3, 0, 1).u64(1L << 62).zeros(16).write(dir.resolve("key.gguf")),
                "key of metadata entry 0 at offset 24 has length 4611686018427387904, over the limit");
        rejects(RawGGUF.header(3, 0, 1).u64(100).zeros(20).write(dir.resolve("key2.gguf")),
                "has length 100, but only 20 bytes are left in the file");
        rejects(RawGGUF.header(3, 0, 1).str("a.b").u32(GGUFValueType.STRING.id).u64(Long.MAX_VALUE)
                .write(dir.resolve("value.gguf")), "metadata 'a.b' at offset 39 has length 9223372036854775807");
        rejects(RawGGUF.header(3, 0, 1).str("a.b").u32(GGUFValueType.ARRAY.id).u32(GGUFValueType.UINT8.id)
                .u64(1L << 40).zeros(64).write(dir.resolve("arr.gguf")),
                "element count of metadata 'a.b' at offset 43 is 1099511627776, but the 64 bytes left");
        rejects(RawGGUF.header(3, 0, 1).str("a.b").u32(GGUFValueType.ARRAY.id).u32(GGUFValueType.STRING.id)
                .u64(9).zeros(64).write(dir.resolve("strs.gguf")), "hold at most 8");
        rejects(RawGGUF.header(3, 0, 1).str("a.b").u32(GGUFValueType.ARRAY.id).u32(GGUFValueType.UINT64.id)
                .u64(3).zeros(16).write(dir.resolve("u64s.gguf")),
                "is 3, but the 16 bytes left in the file hold at most 2");
        rejects(RawGGUF.header(3, 2, 0).tensorInfo("w", 0, 0, 1).write(dir.resolve("n.gguf")),
                "tensor count at offset 8 is 2, but the 41 bytes left in the file hold at most 1");
    }

    @Test
    void deeplyNestedArrays() throws IOException {
        RawGGUF raw = RawGGUF.header(3, 0, 1).str("a.b").u32(GGUFValueType.ARRAY.id);
        for (int i = 0; i < 5000; i++) {
            raw.u32(GGUFValueType.ARRAY.id).u64(1);
        }
        raw.u32(GGUFValueType.UINT8.id).u64(0);
        rejects(raw.write(dir.resolve("deep.gguf")), "nests arrays more than 16 levels deep");

        RawGGUF ok = RawGGUF.header(3, 0, 1).str("a.b").u32(GGUFValueType.ARRAY.id)
                .u32(GGUFValueType.ARRAY.id).u64(2)
                .u32(GGUFValueType.INT16.id).u64(2).u32(0xffff_0001)
                .u32(GGUFValueType.STRING.id).u64(1).str("x");
        try (GGUFFile gguf = GGUFFile.open(ok.write(dir.resolve("nested.gguf")))) {
            Object[] value = (Object[]) gguf.metadata().get("a.b");
            assertEquals(2, value.length);
            assertEquals(List.of(1, -1), Arrays.stream((int[]) value[0]).boxed().toList());
            assertEquals(List.of("x"), Arrays.asList((String[]) value[1]));
            assertEquals(GGUFValueType.ARRAY, gguf.arrayElementType("a.b").orElseThrow());
        }
    }

    @Test
    void badValues() throws IOException {
        rejects(RawGGUF.header(3, 0, 1).str("a.b").u32(13).u32(0).write(dir.resolve("type.gguf")),
                "unknown metadata value type 13 for metadata 'a.b' at offset 35");
        rejects(RawGGUF.header(3, 0, 1).str("a.b").u32(GGUFValueType.ARRAY.id).u32(-7).u64(0)
                .write(dir.resolve("etype.gguf")), "unknown metadata value type 4294967289 for elements of");
        rejects(RawGGUF.header(3, 0, 1).str("a.b").u32(GGUFValueType.BOOL.id).u8(2).write(dir.resolve("b.gguf")),
                "invalid bool value 2 for metadata 'a.b'");
        rejects(RawGGUF.header(3, 0, 1).str("a.b").u32(GGUFValueType.ARRAY.id).u32(GGUFValueType.BOOL.id)
                .u64(3).u8(1).u8(0).u8(9).write(dir.resolve("bs.gguf")), "invalid bool value 9 in metadata 'a.b'[2]");
        rejects(RawGGUF.header(3, 0, 2).kvU32("a.b", 1).kvU32("a.b", 2).write(dir.resolve("dup.gguf")),
                "duplicate metadata key 'a.b' at offset 43");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 48, -32, 1 << 31})
    void badAlignment(int alignment) throws IOException {
        Path file = RawGGUF.header(3, 0, 1).str("general.alignment").u32(GGUFValueType.INT32.id).u32(alignment)
                .write(dir.resolve("align.gguf"));
        rejects(file, "general.alignment is " + alignment + ", expected a power of two");
    }

    @Test
    void alignmentOfTheWrongType() throws IOException {
        rejects(RawGGUF.header(3, 0, 1).kvString("general.alignment", "32").write(dir.resolve("a.gguf")),
                "general.alignment has type string, expected an integer");
    }

    @Test
    void customAlignmentMovesTheDataSection() throws IOException {
        RawGGUF raw = RawGGUF.header(3, 1, 1).kvU32("general.alignment", 256).tensorInfo("w", 0, 0, 4);
        raw.pad(256);
        int dataStart = raw.size();
        raw.u32(Float.floatToIntBits(1.5f)).zeros(12);
        try (GGUFFile gguf = GGUFFile.open(raw.write(dir.resolve("a256.gguf")))) {
            assertEquals(256, gguf.alignment());
            assertEquals(256, dataStart);
            assertEquals(1.5f, gguf.tensor("w").data().get(GGUFCursor.F32, 0));
        }
    }

    /** One F32 tensor info "w" with the given ne and offset, followed by enough data for 64 bytes. */
    private Path oneTensor(String file, int typeId, long offset, long... ne) throws IOException {
        return RawGGUF.header(3, 1, 0).tensorInfo("w", typeId, offset, ne).pad(32).zeros(64)
                .write(dir.resolve(file));
    }

    @Test
    void badTensorInfos() throws IOException {
        rejects(oneTensor("type.gguf", 99, 0, 4), "tensor 'w' has unknown tensor type id 99 (offset 45)");
        rejects(oneTensor("q4_2.gguf", 4, 0, 32), "tensor 'w' has unknown tensor type id 4");
        rejects(oneTensor("past.gguf", 0, 64, 4), "tensor 'w' data (16 bytes at data offset 64, file offset 128)"
                + " lies outside the file of 128 bytes");
        rejects(oneTensor("big.gguf", 0, 0, 17), "tensor 'w' data (68 bytes at data offset 0");
        rejects(oneTensor("neg.gguf", 0, -32, 4), "data offset 18446744073709551584, file offset beyond 2^63");
        rejects(oneTensor("misaligned.gguf", 0, 4, 4),
                "tensor 'w' data offset 4 is not a multiple of the alignment 32");
        rejects(oneTensor("zero.gguf", 0, 0, 4, 0), "tensor 'w' has dimension ne[1] = 0");
        rejects(oneTensor("negdim.gguf", 0, 0, -1), "tensor 'w' has dimension ne[0] = 18446744073709551615");
        rejects(oneTensor("overflow.gguf", 0, 0, 1L << 32, 1L << 32), "tensor 'w' has too many elements");
        rejects(oneTensor("bytes.gguf", 0, 0, 1L << 31, 1L << 31), "tensor 'w' is too large");
        rejects(oneTensor("block.gguf", 2, 0, 16), "tensor 'w' has rows of 16 elements, not a multiple of the "
                + "Q4_0 block size 32");
        Path dims = RawGGUF.header(3, 1, 0).str("w").u32(9).zeros(100).write(dir.resolve("dims.gguf"));
        rejects(dims, "tensor 'w' has 9 dimensions (offset 33), at most 8 are supported");
        Path name = RawGGUF.header(3, 1, 0).u64(70000).zeros(70100).write(dir.resolve("name.gguf"));
        rejects(name, "name of tensor info 0 at offset 24 has length 70000, over the limit of 65535 bytes");
    }

    @Test
    void overlappingAndDuplicateTensors() throws IOException {
        Path overlap = RawGGUF.header(3, 2, 0).tensorInfo("a", 0, 0, 16).tensorInfo("b", 0, 32, 4)
                .pad(32).zeros(96).write(dir.resolve("overlap.gguf"));
        rejects(overlap, "tensors 'a' (data offset 0, 64 bytes) and 'b' (data offset 32) overlap");
        Path same = RawGGUF.header(3, 2, 0).tensorInfo("b", 0, 0, 4).tensorInfo("a", 0, 0, 4)
                .pad(32).zeros(96).write(dir.resolve("same.gguf"));
        rejects(same, "overlap");
        Path dup = RawGGUF.header(3, 2, 0).tensorInfo("a", 0, 0, 4).tensorInfo("a", 0, 32, 4)
                .pad(32).zeros(96).write(dir.resolve("dup.gguf"));
        rejects(dup, "duplicate tensor name 'a' at offset 57");
        Path touching = RawGGUF.header(3, 2, 0).tensorInfo("b", 0, 64, 16).tensorInfo("a", 0, 0, 16)
                .pad(32).zeros(128).write(dir.resolve("touching.gguf"));
        try (GGUFFile gguf = GGUFFile.open(touching)) {
            assertEquals(List.of("b", "a"), List.copyOf(gguf.tensors().keySet()));
            assertEquals(64, gguf.tensor("a").data().byteSize());
        }
    }

    @Test
    void dataBeyond4GiB() throws IOException {
        // A sparse file: tensor "far" starts 5 GiB into the data section, so every offset needs 64 bits.
        long far = 5L << 30;
        RawGGUF raw = RawGGUF.header(3, 2, 0).tensorInfo("near", 0, 0, 8).tensorInfo("far", 0, far, 4).pad(32);
        long dataStart = raw.size();
        Path file = raw.write(dir.resolve("sparse.gguf"));
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer value = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            value.putFloat(12, 42.5f).rewind();
            channel.write(value, dataStart + far);
        }
        try (GGUFFile gguf = GGUFFile.open(file)) {
            assertEquals(dataStart + far + 16, gguf.fileSize());
            assertEquals(42.5f, gguf.tensor("far").data().get(GGUFCursor.F32, 12));
            assertEquals(0f, gguf.tensor("near").data().get(GGUFCursor.F32, 28));
        }
    }

    @Test
    void scalarTensorHasNoDimensions() throws IOException {
        try (GGUFFile gguf = GGUFFile.open(oneTensor("scalar.gguf", 0, 0))) {
            assertEquals(0, gguf.tensor("w").rank());
            assertEquals(4, gguf.tensor("w").data().byteSize());
        }
    }
}
