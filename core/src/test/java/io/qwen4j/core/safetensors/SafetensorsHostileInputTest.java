package io.qwen4j.core.safetensors;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Safetensors files that are missing, cut short, or have a broken header: each gives one clear error. */
class SafetensorsHostileInputTest {

    @TempDir
    Path dir;

    static String rejects(Path file, String part) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(file).close());
        String message = e.getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        assertTrue(message.contains(part), () -> "expected '" + part + "' in: " + message);
        assertEquals(-1, message.indexOf('\n'), message);
        return message;
    }

    private Path raw(String header, int dataBytes) throws IOException {
        return SafetensorsTestFiles.raw(dir.resolve("t.safetensors"), header, dataBytes);
    }

    @Test
    void missingEmptyAndForeignFiles() throws IOException {
        rejects(dir.resolve("none.safetensors"), "file not found");
        rejects(dir, "is a directory");
        rejects(Files.write(dir.resolve("four.safetensors"), new byte[4]), "only 4 bytes long");
        Path text = Files.writeString(dir.resolve("text.safetensors"), "Hello, this is not a model.\n");
        rejects(text, "header length 8367736964726416712 is larger than the file (28 bytes)");
        rejects(Files.write(dir.resolve("ff.safetensors"), new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, '{', '}'}),
                "header length 18446744073709551615 is larger than the file");
    }

    @Test
    void truncatedCopiesOfARealFile() throws IOException {
        byte[] full = Files.readAllBytes(SafetensorsFileTest.QWEN3);
        int dataStart = 8 + 2568;
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            cuts.add(i);
        }
        for (int i = 16; i < dataStart; i += 101) {
            cuts.add(i);
        }
        for (int cut : cuts) {
            Path file = Files.write(dir.resolve("cut" + cut + ".safetensors"), Arrays.copyOf(full, cut));
            rejects(file, cut < 8 ? "bytes long" : "is larger than the file (" + cut + " bytes)");
        }
        // Cut in the data: the header parses, and a tensor whose bytes are gone is named.
        int[] dataCuts = {dataStart, dataStart + 1000, full.length - 1};
        for (int cut : dataCuts) {
            Path file = Files.write(dir.resolve("data" + cut + ".safetensors"), Arrays.copyOf(full, cut));
            String message = rejects(file, "lie outside the data section of " + (cut - dataStart) + " bytes");
            assertTrue(message.contains("tensor 'model."), message);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{not json|invalid JSON in the header: Unexpected character ('n'",
        "`{'a': {}`|invalid JSON in the header: Unexpected end-of-input",
        "[]|the header is not a JSON object",
        "`'x'`|the header is not a JSON object",
        "{} x|invalid JSON in the header",
        "`{'w': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4]}, 'w': {}}`|Duplicate field 'w'",
        "`{'w': 3}`|tensor 'w' is not a JSON object",
        "`{'w': {'shape': [1], 'data_offsets': [0, 4]}}`|tensor 'w' has no string \"dtype\"",
        "`{'w': {'dtype': 5, 'shape': [1], 'data_offsets': [0, 4]}}`|tensor 'w' has no string \"dtype\"",
        "`{'w': {'dtype': 'U8', 'shape': [4], 'data_offsets': [0, 4]}}`|tensor 'w' has dtype U8, which qwen4j does not read",
        "`{'w': {'dtype': 'F8_E4M3', 'shape': [4], 'data_offsets': [0, 4]}}`|tensor 'w' has dtype F8_E4M3",
        "`{'w': {'dtype': 'F32', 'data_offsets': [0, 4]}}`|tensor 'w' has no \"shape\" array",
        "`{'w': {'dtype': 'F32', 'shape': [-1], 'data_offsets': [0, 4]}}`|tensor 'w' shape[0] = -1 is not an integer",
        "`{'w': {'dtype': 'F32', 'shape': [1.5], 'data_offsets': [0, 4]}}`|tensor 'w' shape[0] = 1.5",
        "`{'w': {'dtype': 'F32', 'shape': ['1'], 'data_offsets': [0, 4]}}`|tensor 'w' shape[0] = \"1\"",
        "`{'w': {'dtype': 'F32', 'shape': [99999999999999999999], 'data_offsets': [0, 4]}}`|shape[0] = 99999999999999999999",
        "`{'w': {'dtype': 'F32', 'shape': [4294967296, 4294967296], 'data_offsets': [0, 4]}}`|tensor 'w' has too many elements",
        "`{'w': {'dtype': 'F32', 'shape': [1]}}`|tensor 'w' has no \"data_offsets\" array of 2 integers",
        "`{'w': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4, 8]}}`|no \"data_offsets\" array of 2",
        "`{'w': {'dtype': 'F32', 'shape': [1], 'data_offsets': [8, 4]}}`|data_offsets [8, 4] lie outside the data section of 64",
        "`{'w': {'dtype': 'F32', 'shape': [1], 'data_offsets': [64, 68]}}`|tensor 'w' data_offsets [64, 68] lie outside",
        "`{'w': {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 4]}}`|'w' data_offsets [0, 4] span 4 bytes, but F32 [2] takes 8",
        "`{'a': {'dtype': 'F32', 'shape': [4], 'data_offsets': [0, 16]}, "
            + "'b': {'dtype': 'BF16', 'shape': [4], 'data_offsets': [8, 16]}}`|tensors 'a' [0, 16] and 'b' [8, 16] overlap",
        "`{'__metadata__': [1]}`|__metadata__ is not a JSON object",
        "`{'__metadata__': {'format': 1}}`|__metadata__ value 'format' is not a string",
    })
    void badHeaders(String header, String problem) throws IOException {
        rejects(raw(header.replace('\'', '"'), 64), problem); // the table writes JSON quotes as '
    }

    @Test
    void listsTheSupportedDtypes() throws IOException {
        rejects(raw("{\"w\": {\"dtype\": \"BOOL\", \"shape\": [1], \"data_offsets\": [0, 1]}}", 8),
                "tensor 'w' has dtype BOOL, which qwen4j does not read "
                        + "(supported: F32, F16, BF16, F64, I8, I16, I32, I64)");
    }

    @Test
    void dataBeyond4GiB() throws IOException {
        long far = 5L << 30; // a sparse file: the tensor's bytes start 5 GiB into the data section
        Path file = raw("{\"far\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [" + far + ", "
                + (far + 8) + "]}}", 0);
        long dataStart = Files.size(file);
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer value = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            value.putFloat(4, -3.25f).rewind();
            channel.write(value, dataStart + far);
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(-3.25f, st.tensor("far").data().get(SafetensorsFileTest.F32, 4));
        }
    }

    @Test
    void deeplyNestedJson() throws IOException {
        rejects(raw("{\"a\": " + "[".repeat(5000) + "]".repeat(5000) + "}", 0), "invalid JSON in the header");
    }

    @Test
    void headerLimit() throws IOException {
        byte[] bytes = SafetensorsTestFiles.header(new byte[0]);
        bytes[3] = 0x10; // 256 MiB header length in a file that is not that large
        rejects(Files.write(dir.resolve("big.safetensors"), bytes), "header length 268435456 is larger than the file");
    }

    @Test
    void acceptsEdgeCasesOfTheFormat() throws IOException {
        String header = "{\"__metadata__\": {\"format\": \"pt\"}, "
                + "\"empty\": {\"dtype\": \"F32\", \"shape\": [0, 3], \"data_offsets\": [4, 4]}, "
                + "\"scalar\": {\"dtype\": \"I32\", \"shape\": [], \"data_offsets\": [0, 4]}, "
                + "\"i64\": {\"dtype\": \"I64\", \"shape\": [1], \"data_offsets\": [8, 16]}}    ";
        try (SafetensorsFile st = SafetensorsFile.open(raw(header, 16))) {
            assertEquals(List.of("empty", "scalar", "i64"), List.copyOf(st.tensors().keySet()));
            assertEquals(0, st.tensor("empty").data().byteSize());
            assertEquals(0, st.tensor("scalar").rank());
            assertEquals(8, st.tensor("i64").data().byteSize());
            assertEquals(Map.of("format", "pt"), st.metadata());
        }
        try (SafetensorsFile st = SafetensorsFile.open(raw("{}", 0))) {
            assertTrue(st.tensors().isEmpty());
            assertTrue(st.metadata().isEmpty());
        }
    }

    @Test
    void fuzzedHeaders() throws IOException {
        // A small real file: the norms and biases of qwen2-tiny, written with an HF-style header.
        List<Tensor> small = new ArrayList<>();
        try (SafetensorsFile real = SafetensorsFile.open(SafetensorsFileTest.QWEN2)) {
            for (Tensor t : real.tensors().values()) {
                if (t.rank() == 1) {
                    small.add(new Tensor(t.name(), t.type(), t.shape(),
                            java.lang.foreign.MemorySegment.ofArray(t.data().toArray(ValueLayout.JAVA_BYTE))));
                }
            }
        }
        assertEquals(11, small.size());
        byte[] base = Files.readAllBytes(SafetensorsTestFiles.write(dir.resolve("base.safetensors"), small,
                Map.of("format", "pt")));
        int headerEnd = 8 + (int) (base[0] & 0xff) + ((base[1] & 0xff) << 8);
        Random random = new Random(20251125L);
        int[] outcomes = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int opened = 0;
            int rejected = 0;
            for (int i = 0; i < 300; i++) {
                byte[] bytes = base.clone();
                for (int f = 0; f < 1 + random.nextInt(3); f++) {
                    int at = random.nextInt(8) == 0 ? random.nextInt(8) : 8 + random.nextInt(headerEnd - 8);
                    bytes[at] = random.nextBoolean() ? (byte) random.nextInt(256)
                            : (byte) "0123456789[]{},:\" ".charAt(random.nextInt(18));
                }
                Path file = Files.write(dir.resolve("fuzz" + i + ".safetensors"), bytes);
                try (SafetensorsFile st = SafetensorsFile.open(file)) {
                    for (Tensor t : st.tensors().values()) {
                        if (t.data().byteSize() > 0) {
                            t.data().get(ValueLayout.JAVA_BYTE, t.data().byteSize() - 1);
                        }
                    }
                    opened++;
                } catch (ModelFormatException e) {
                    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
                    assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
                    rejected++;
                } catch (Throwable t) {
                    throw new AssertionError("iteration " + i + ": " + t, t);
                }
                Files.delete(file);
            }
            return new int[] {opened, rejected};
        });
        assertTrue(outcomes[0] > 5 && outcomes[1] > 50, Arrays.toString(outcomes));
    }

    @Test
    void testWriterRoundTrips() throws IOException {
        try (SafetensorsFile real = SafetensorsFile.open(SafetensorsFileTest.QWEN2)) {
            Path copy = SafetensorsTestFiles.write(dir.resolve("copy.safetensors"), real.tensors().values(),
                    real.metadata());
            try (SafetensorsFile st = SafetensorsFile.open(copy)) {
                assertEquals(real.tensors().keySet(), st.tensors().keySet());
                for (Tensor t : real.tensors().values()) {
                    assertArrayEquals(t.shape(), st.tensor(t.name()).shape());
                    assertEquals(-1, t.data().mismatch(st.tensor(t.name()).data()), t.name());
                }
            }
        }
        assertEquals("{}", new String(Arrays.copyOfRange(Files.readAllBytes(raw("{}", 0)), 8, 10),
                StandardCharsets.UTF_8));
    }
}
