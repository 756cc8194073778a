package io.qwen4j.core.gguf;

import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GGUFWriterTest {

    @TempDir
    Path dir;

    /** Copies metadata and tensors of {@code source} through the writer. */
    static void rewrite(Path source, Path target) throws IOException {
        try (GGUFFile in = GGUFFile.open(source)) {
            GGUFWriter writer = new GGUFWriter().putAll(in);
            for (Tensor t : in.tensors().values()) {
                writer.addTensor(t.name(), t.type(), t.shape(), t.data());
            }
            writer.write(target);
        }
    }

    @Test
    void rewritingLlamaCppFilesGivesTheSameBytes() throws IOException {
        for (Path source : List.of(GGUFFileTest.QWEN3, GGUFFileTest.QWEN2, GGUFFileTest.QWEN3_Q4_0)) {
            Path copy = dir.resolve("copy.gguf");
            rewrite(source, copy);
            assertEquals(-1, Files.mismatch(source, copy), source.toString());
        }
    }

    @Test
    void everyValueTypeRoundTrips() throws IOException {
        GGUFWriter w = new GGUFWriter()
                .put("general.alignment", GGUFValueType.UINT32, 64L)
                .put("t.u8", GGUFValueType.UINT8, 255)
                .put("t.i8", GGUFValueType.INT8, -128)
                .put("t.u16", GGUFValueType.UINT16, 65535)
                .put("t.i16", GGUFValueType.INT16, -32768)
                .putUInt32("t.u32", 0xffff_ffffL)
                .putInt32("t.i32", Integer.MIN_VALUE)
                .putFloat32("t.f32", 0.1f)
                .putBool("t.bool", true)
                .putString("t.str", "héllo <|im_end|> 中文")
                .putUInt64("t.u64", -1L)
                .put("t.i64", GGUFValueType.INT64, Long.MIN_VALUE)
                .put("t.f64", GGUFValueType.FLOAT64, Math.PI)
                .putArray("a.u8", GGUFValueType.UINT8, new int[] {0, 200, 255})
                .putArray("a.i8", GGUFValueType.INT8, new int[] {-1, 127})
                .putArray("a.u16", GGUFValueType.UINT16, new int[] {40000})
                .putArray("a.i16", GGUFValueType.INT16, new int[] {-2, 3})
                .putArray("a.u32", GGUFValueType.UINT32, new long[] {4_000_000_000L, 1})
                .putArray("a.i32", GGUFValueType.INT32, new int[] {-5, 6, 7})
                .putArray("a.f32", GGUFValueType.FLOAT32, new float[] {1.5f, -0f, Float.NaN})
                .putArray("a.bool", GGUFValueType.BOOL, new boolean[] {true, false, true})
                .putArray("a.str", GGUFValueType.STRING, new String[] {"", "a", "Ġ Ġ"})
                .putArray("a.u64", GGUFValueType.UINT64, new long[] {-1L})
                .putArray("a.i64", GGUFValueType.INT64, new long[] {Long.MAX_VALUE, 0})
                .putArray("a.f64", GGUFValueType.FLOAT64, new double[] {1e300, 0.1})
                .putArray("a.empty", GGUFValueType.INT32, new int[0])
                .putArray("a.nested", GGUFValueType.ARRAY, new GGUFWriter.Array[] {
                        new GGUFWriter.Array(GGUFValueType.UINT8, new int[] {1, 2}),
                        new GGUFWriter.Array(GGUFValueType.ARRAY, new GGUFWriter.Array[] {
                                new GGUFWriter.Array(GGUFValueType.STRING, new String[] {"deep"})})});
        Random random = new Random(7);
        Map<String, GGMLType> types = Map.of("f32", GGMLType.F32, "bf16", GGMLType.BF16, "q4_0", GGMLType.Q4_0,
                "q6_k", GGMLType.Q6_K, "i8", GGMLType.I8);
        long[][] shapes = {{3, 5}, {2, 1, 7}, {4, 64}, {2, 256}, {9}};
        String[] names = {"f32", "bf16", "q4_0", "q6_k", "i8"};
        byte[][] payloads = new byte[names.length][];
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < names.length; i++) {
                GGMLType type = types.get(names[i]);
                long elements = 1;
                for (long d : shapes[i]) {
                    elements *= d;
                }
                payloads[i] = new byte[(int) type.byteSize(elements)];
                random.nextBytes(payloads[i]);
                w.addTensor(names[i], type, shapes[i], arena.allocateFrom(ValueLayout.JAVA_BYTE, payloads[i]));
            }
            Path file = dir.resolve("all.gguf");
            w.write(file);
            assertEquals(0, Files.size(file) % 64, "the data section ends aligned");

            try (GGUFFile g = GGUFFile.open(file)) {
                assertEquals(3, g.version());
                assertEquals(64, g.alignment());
                assertEquals(255, g.metadata().get("t.u8"));
                assertEquals(-128, g.metadata().get("t.i8"));
                assertEquals(65535, g.metadata().get("t.u16"));
                assertEquals(-32768, g.metadata().get("t.i16"));
                assertEquals(0xffff_ffffL, g.metadata().get("t.u32"));
                assertEquals(Integer.MIN_VALUE, g.metadata().get("t.i32"));
                assertEquals(0.1f, g.metadata().get("t.f32"));
                assertEquals(true, g.metadata().get("t.bool"));
                assertEquals("héllo <|im_end|> 中文", g.getString("t.str"));
                assertEquals(-1L, g.metadata().get("t.u64"));
                assertEquals(Long.MIN_VALUE, g.getLong("t.i64"));
                assertEquals(Math.PI, g.metadata().get("t.f64"));
                assertEquals((float) Math.PI, g.getFloat("t.f64"));
                assertArrayEquals(new int[] {0, 200, 255}, g.getIntArray("a.u8"));
                assertArrayEquals(new int[] {-1, 127}, g.getIntArray("a.i8"));
                assertArrayEquals(new int[] {40000}, g.getIntArray("a.u16"));
                assertArrayEquals(new int[] {-2, 3}, g.getIntArray("a.i16"));
                assertArrayEquals(new long[] {4_000_000_000L, 1}, (long[]) g.metadata().get("a.u32"));
                assertThrows(io.qwen4j.core.ModelFormatException.class, () -> g.getIntArray("a.u32"));
                assertArrayEquals(new int[] {-5, 6, 7}, g.getIntArray("a.i32"));
                assertArrayEquals(new float[] {1.5f, -0f, Float.NaN}, g.getFloatArray("a.f32"));
                assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) g.metadata().get("a.bool"));
                assertArrayEquals(new String[] {"", "a", "Ġ Ġ"}, g.getStringArray("a.str"));
                assertArrayEquals(new long[] {-1L}, (long[]) g.metadata().get("a.u64"));
                assertArrayEquals(new long[] {Long.MAX_VALUE, 0}, (long[]) g.metadata().get("a.i64"));
                assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 0.1f}, g.getFloatArray("a.f64"));
                assertArrayEquals(new double[] {1e300, 0.1}, (double[]) g.metadata().get("a.f64"));
                assertEquals(0, g.getIntArray("a.empty").length);
                Object[] nested = (Object[]) g.metadata().get("a.nested");
                assertArrayEquals(new int[] {1, 2}, (int[]) nested[0]);
                assertArrayEquals(new String[] {"deep"}, (String[]) ((Object[]) nested[1])[0]);
                for (GGUFValueType type : GGUFValueType.values()) {
                    String key = type == GGUFValueType.ARRAY ? "a.nested" : "t." + type.specName()
                            .replace("uint", "u").replace("int", "i").replace("float", "f").replace("string", "str");
                    assertEquals(type, g.valueType(key).orElseThrow(), key);
                }
                assertEquals(GGUFValueType.UINT16, g.arrayElementType("a.u16").orElseThrow());
                assertTrue(g.arrayElementType("t.u16").isEmpty());

                assertEquals(List.of(names), List.copyOf(g.tensors().keySet()));
                for (int i = 0; i < names.length; i++) {
                    Tensor t = g.tensor(names[i]);
                    assertEquals(types.get(names[i]), t.type());
                    assertArrayEquals(shapes[i], t.shape());
                    assertArrayEquals(payloads[i], t.data().toArray(ValueLayout.JAVA_BYTE));
                    assertEquals(0, t.data().address() % 64, names[i] + " is 64-byte aligned in memory");
                }
            }
        }
    }

    @Test
    void rejectsInvalidInput() {
        GGUFWriter w = new GGUFWriter();
        MemorySegment eight = MemorySegment.ofArray(new byte[8]);
        assertThrows(IllegalArgumentException.class, () -> w.put("x", GGUFValueType.UINT8, 256));
        assertThrows(IllegalArgumentException.class, () -> w.put("x", GGUFValueType.UINT32, -1L));
        assertThrows(IllegalArgumentException.class, () -> w.put("x", GGUFValueType.INT32, 1L));
        assertThrows(IllegalArgumentException.class, () -> w.put("x", GGUFValueType.STRING, 1));
        assertThrows(IllegalArgumentException.class, () -> w.put("x", GGUFValueType.ARRAY, new int[1]));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("x", GGUFValueType.INT8, new int[] {128}));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("x", GGUFValueType.UINT32, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> w.put("general.alignment", GGUFValueType.UINT32, 48L));
        assertThrows(IllegalArgumentException.class, () -> w.putString("general.alignment", "32"));
        w.putInt32("x", 1);
        assertThrows(IllegalArgumentException.class, () -> w.putInt32("x", 2));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GGMLType.F32, new long[] {3}, eight));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GGMLType.F32, new long[] {0, 2}, eight));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GGMLType.F32, new long[] {}, eight));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GGMLType.Q8_0, new long[] {16},
                MemorySegment.ofArray(new byte[17])));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("n".repeat(64), GGMLType.F32,
                new long[] {2}, eight));
        w.addTensor("t", GGMLType.F32, new long[] {2}, eight);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GGMLType.F32, new long[] {2}, eight));
    }

    @Test
    void tensorsWrittenByTheirContentGiveTheSameBytes() throws IOException {
        for (Path source : List.of(GGUFFileTest.QWEN3, GGUFFileTest.QWEN3_Q4_0)) {
            Path copy = dir.resolve("streamed.gguf");
            try (GGUFFile in = GGUFFile.open(source)) {
                GGUFWriter writer = new GGUFWriter().putAll(in);
                int i = 0;
                for (Tensor t : in.tensors().values()) {
                    if (i++ % 2 == 0) { // mix both kinds, so a mapped region follows a channel write and the reverse
                        writer.addTensor(t.name(), t.type(), t.shape(), dst -> {
                            assertEquals(t.data().byteSize(), dst.byteSize());
                            MemorySegment.copy(t.data(), 0, dst, 0, dst.byteSize());
                        });
                    } else {
                        writer.addTensor(t.name(), t.type(), t.shape(), t.data());
                    }
                }
                writer.write(copy);
            }
            assertEquals(-1, Files.mismatch(source, copy), source.toString());
        }
    }

    @Test
    void emptyFileHasOnlyTheHeader() throws IOException {
        Path file = dir.resolve("empty.gguf");
        new GGUFWriter().write(file);
        assertEquals(32, Files.size(file)); // 24 header bytes padded to the alignment
        try (GGUFFile g = GGUFFile.open(file)) {
            assertTrue(g.metadata().isEmpty());
            assertTrue(g.tensors().isEmpty());
        }
    }
}
