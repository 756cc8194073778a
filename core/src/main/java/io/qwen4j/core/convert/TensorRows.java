package io.qwen4j.core.convert;

import io.qwen4j.core.tensor.GGMLType;
import io.qwen4j.core.tensor.Matrix;
import io.qwen4j.core.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/** The rows of one stored tensor, or of several same-shaped tensors stacked one after another (MoE experts). */
final class TensorRows implements RowSource {

    private final List<Tensor> parts;
    private final Matrix[] matrices;
    private final int rowsPerPart;
    private final int rowLength;

    private TensorRows(List<Tensor> parts) {
        this.parts = List.copyOf(parts);
        this.matrices = new Matrix[parts.size()];
        Tensor first = parts.getFirst();
        long[] shape = first.shape();
        this.rowLength = Math.toIntExact(shape[shape.length - 1]);
        long rows = first.elementCount() / rowLength;
        if (rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + first.name() + " has more than 2^31 rows");
        }
        this.rowsPerPart = (int) rows;
        for (int i = 0; i < matrices.length; i++) {
            Tensor t = parts.get(i);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("cannot stack " + t.name() + " " + Arrays.toString(t.shape())
                        + " with " + first.name() + " " + Arrays.toString(shape));
            }
            // any rank, seen as [rows, rowLength]: the stored bytes are row-major either way
            matrices[i] = Matrix.of(new Tensor(t.name(), t.type(), new long[] {rowsPerPart, rowLength}, t.data()));
        }
    }

    static TensorRows of(Tensor t) {
        return new TensorRows(List.of(t));
    }

    /** Tensors of equal shape one after another: {@code [parts][...]}. */
    static TensorRows stacked(List<Tensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to stack");
        }
        return new TensorRows(parts);
    }

    @Override
    public long rows() {
        return (long) rowsPerPart * matrices.length;
    }

    @Override
    public int rowLength() {
        return rowLength;
    }

    @Override
    public void read(long row, float[] dst) {
        matrices[(int) (row / rowsPerPart)].dequantizeRow((int) (row % rowsPerPart), dst, 0);
    }

    @Override
    public boolean isStoredAs(GGMLType type) {
        return parts.stream().allMatch(t -> t.type() == type);
    }

    @Override
    public void copyStored(MemorySegment dst) {
        long at = 0;
        for (Tensor t : parts) {
            MemorySegment.copy(t.data(), 0, dst, at, t.data().byteSize());
            at += t.data().byteSize();
        }
    }
}
