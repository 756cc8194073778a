package io.qwen4j.core.gguf;

import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates the header, metadata and tensor infos of a mapped GGUF file, then checks that every
 * tensor's data lies inside the file, aligned, without overlapping another.
 */
final class GGUFParser {

    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
    static final int DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    /** The spec caps keys at 65535 bytes; tensor names get the same generous bound. */
    static final int MAX_NAME_BYTES = 65535;
    /** ggml uses 4 dimensions; a little room for future versions, but no unbounded allocation. */
    static final int MAX_DIMS = 8;
    /** Smallest encodings: key length + value type + a 1-byte value; name length + n_dims + type + offset. */
    private static final int MIN_KV_BYTES = 8 + 4 + 1;
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

    /** The stored type of a metadata value; {@code elementType} is null unless {@code type} is ARRAY. */
    record KeyType(GGUFValueType type, GGUFValueType elementType) {
        String describe() {
            return elementType == null ? type.specName() : "array of " + elementType.specName();
        }
    }

    record Parsed(int version, int alignment, Map<String, Object> metadata, Map<String, KeyType> metadataTypes,
                  Map<String, Tensor> tensors) {
    }

    private record TensorInfo(String name, GGMLType type, long[] ne, long bytes, long offset) {
    }

    private final MappedFile mapped;
    private final GGUFCursor in;

    private GGUFParser(MappedFile mapped) {
        this.mapped = mapped;
        this.in = new GGUFCursor(mapped.segment(), mapped.path());
    }

    static Parsed parse(MappedFile mapped) {
        return new GGUFParser(mapped).parse();
    }

    private Parsed parse() {
        int version = header();
        long tensorCount = in.count("tensor count", MIN_TENSOR_INFO_BYTES);
        long kvCount = in.count("metadata entry count", MIN_KV_BYTES);
        Map<String, Object> metadata = new LinkedHashMap<>();
        Map<String, KeyType> types = new LinkedHashMap<>();
        readMetadata(kvCount, metadata, types);
        int alignment = alignment(metadata, types);
        List<TensorInfo> infos = readTensorInfos(tensorCount);
        long dataStart = alignUp(in.position(), alignment);
        checkLayout(infos, dataStart, alignment);

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (TensorInfo t : infos) {
            long[] shape = new long[t.ne.length];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = t.ne[t.ne.length - 1 - d];
            }
            tensors.put(t.name, new Tensor(t.name, t.type, shape,
                    mapped.segment().asSlice(dataStart + t.offset, t.bytes)));
        }
        return new Parsed(version, alignment, metadata, types, tensors);
    }

    private void readMetadata(long kvCount, Map<String, Object> metadata, Map<String, KeyType> types) {
        GGUFValueReader values = new GGUFValueReader(in);
        for (long i = 0; i < kvCount; i++) {
            long at = in.position();
            String key = in.string("key of metadata entry " + i, MAX_NAME_BYTES);
            if (metadata.containsKey(key)) {
                throw in.error("duplicate metadata key '" + key + "' at offset " + at);
            }
            String what = "metadata '" + key + "'";
            GGUFValueType type = values.type(what);
            metadata.put(key, values.value(type, what));
            types.put(key, new KeyType(type, type == GGUFValueType.ARRAY ? values.lastElementType() : null));
        }
    }

    private List<TensorInfo> readTensorInfos(long tensorCount) {
        List<TensorInfo> infos = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            long at = in.position();
            TensorInfo info = tensorInfo(i);
            if (!names.add(info.name)) {
                throw in.error("duplicate tensor name '" + info.name + "' at offset " + at);
            }
            infos.add(info);
        }
        return infos;
    }

    private int header() {
        if (mapped.size() < 4) {
            throw in.error("not a GGUF file: only " + mapped.size() + " bytes long");
        }
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw in.error("not a GGUF file: it starts with bytes " + hex(magic)
                    + ", expected 47 47 55 46 (\"GGUF\")");
        }
        int version = in.i32("version");
        if (version == 2 || version == 3) {
            return version;
        }
        if (version == 1) {
            throw in.error("GGUF version 1 is not supported (it used 32-bit counts); convert the model again "
                    + "with a current llama.cpp");
        }
        int swapped = Integer.reverseBytes(version);
        if (swapped == 2 || swapped == 3) {
            throw in.error("big-endian GGUF files are not supported");
        }
        throw in.error("unsupported GGUF version " + Integer.toUnsignedString(version)
                + " (qwen4j reads versions 2 and 3)");
    }

    private static String hex(int littleEndian) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", (littleEndian >>> (8 * i)) & 0xff));
        }
        return sb.toString();
    }

    private int alignment(Map<String, Object> metadata, Map<String, KeyType> types) {
        Object value = metadata.get(ALIGNMENT_KEY);
        if (value == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (!(value instanceof Integer) && !(value instanceof Long)) {
            throw in.error(ALIGNMENT_KEY + " has type " + types.get(ALIGNMENT_KEY).describe()
                    + ", expected an integer");
        }
        long a = ((Number) value).longValue();
        if (a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
            throw in.error(ALIGNMENT_KEY + " is " + a + ", expected a power of two between 1 and 2^30");
        }
        return (int) a;
    }

    private TensorInfo tensorInfo(long index) {
        String name = in.string("name of tensor info " + index, MAX_NAME_BYTES);
        String what = "tensor '" + name + "'";
        long at = in.position();
        long nDims = in.u32("dimension count of " + what);
        if (nDims > MAX_DIMS) {
            throw in.error(what + " has " + nDims + " dimensions (offset " + at + "), at most " + MAX_DIMS
                    + " are supported");
        }
        long[] ne = new long[(int) nDims];
        long elements = 1;
        for (int d = 0; d < ne.length; d++) {
            ne[d] = in.i64("dimension " + d + " of " + what);
            if (ne[d] <= 0) {
                throw in.error(what + " has dimension ne[" + d + "] = " + Long.toUnsignedString(ne[d])
                        + "; dimensions must be between 1 and 2^63-1");
            }
            try {
                elements = Math.multiplyExact(elements, ne[d]);
            } catch (ArithmeticException e) {
                throw in.error(what + " has too many elements: ne = " + Arrays.toString(ne));
            }
        }
        at = in.position();
        int typeId = in.i32("type of " + what);
        GGMLType type = GGMLType.fromId(typeId);
        if (type == null) {
            throw in.error(what + " has unknown tensor type id " + Integer.toUnsignedString(typeId)
                    + " (offset " + at + ")");
        }
        long offset = in.i64("data offset of " + what);
        long rowLength = ne.length == 0 ? 1 : ne[0];
        if (rowLength % type.blockSize != 0) {
            throw in.error(what + " has rows of " + rowLength + " elements, not a multiple of the " + type
                    + " block size " + type.blockSize);
        }
        long bytes;
        try {
            bytes = type.byteSize(elements);
        } catch (ArithmeticException e) {
            throw in.error(what + " is too large: ne = " + Arrays.toString(ne) + " of " + type);
        }
        return new TensorInfo(name, type, ne, bytes, offset);
    }

    private void checkLayout(List<TensorInfo> infos, long dataStart, int alignment) {
        long dataSize = mapped.size() - dataStart; // negative when even the padding is cut off
        for (TensorInfo t : infos) {
            String what = "tensor '" + t.name + "'";
            if (t.offset < 0 || t.offset > dataSize || t.bytes > dataSize - t.offset) {
                throw in.error(what + " data (" + t.bytes + " bytes at data offset "
                        + Long.toUnsignedString(t.offset) + ", file offset "
                        + (t.offset < 0 ? "beyond 2^63" : String.valueOf(dataStart + t.offset))
                        + ") lies outside the file of " + mapped.size() + " bytes");
            }
            if (t.offset % alignment != 0) {
                throw in.error(what + " data offset " + t.offset + " is not a multiple of the alignment "
                        + alignment);
            }
        }
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(TensorInfo::offset));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (prev.offset + prev.bytes > cur.offset) {
                throw in.error("tensors '" + prev.name + "' (data offset " + prev.offset + ", " + prev.bytes
                        + " bytes) and '" + cur.name + "' (data offset " + cur.offset + ") overlap");
            }
        }
    }

    static long alignUp(long offset, long alignment) {
        long rest = offset % alignment;
        return rest == 0 ? offset : offset + (alignment - rest);
    }
}
