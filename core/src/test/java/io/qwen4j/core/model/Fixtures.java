package io.qwen4j.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Reads the golden model fixtures copied into testdata/models: reference.json and the logits files. */
final class Fixtures {

    static final Path TESTDATA = Path.of(System.getProperty("qwen4j.testdata", "../testdata"));
    static final Path MODELS = TESTDATA.resolve("models");

    /** One prompt of a reference: its ids, greedy continuation and stored logits rows. */
    record Prompt(String name, int[] ids, int[] greedyIds, int[] positions, float[][] logits) {

        /** ids + greedy ids: the sequence whose positions the logits rows refer to. */
        int[] sequence() {
            return IntStream.concat(IntStream.of(ids), IntStream.of(greedyIds)).toArray();
        }
    }

    record Reference(int vocab, List<Integer> eogIds, List<Prompt> prompts) {
    }

    private Fixtures() {
    }

    static Reference reference(Path referenceDir) {
        try {
            JsonNode root = new ObjectMapper().readTree(referenceDir.resolve("reference.json").toFile());
            int vocab = root.get("n_vocab").intValue();
            List<Integer> eog = new ArrayList<>();
            root.get("eog_ids").forEach(n -> eog.add(n.intValue()));
            List<Prompt> prompts = new ArrayList<>();
            for (JsonNode p : root.get("prompts")) {
                int[] positions = ints(p.get("positions"));
                float[][] rows = readRows(referenceDir.resolve(p.get("logits_file").textValue()), positions.length, vocab);
                prompts.add(new Prompt(p.get("name").textValue(), ints(p.get("ids")), ints(p.get("greedy_ids")),
                        positions, rows));
            }
            return new Reference(vocab, eog, prompts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    private static float[][] readRows(Path file, int rows, int vocab) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() != rows * vocab * Float.BYTES) {
            throw new IllegalStateException(file + " has " + b.remaining() + " bytes, expected " + rows + " x " + vocab + " floats");
        }
        float[][] out = new float[rows][vocab];
        for (float[] row : out) {
            b.asFloatBuffer().get(row);
            b.position(b.position() + vocab * Float.BYTES);
        }
        return out;
    }

    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }
}
