package io.qwen4j.core.tokenizer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Measures load time and single-thread encode/decode throughput of the real Qwen3 tokenizer on the golden corpus
 * text repeated to a few MB. Not a test (speed is not asserted); run with
 * {@code java -cp <test classpath> io.qwen4j.core.tokenizer.TokenizerThroughput <testdata dir>}.
 */
public final class TokenizerThroughput {

    private TokenizerThroughput() {
    }

    public static void main(String[] args) {
        System.setProperty("qwen4j.testdata", args.length > 0 ? args[0] : "testdata");
        Path json = Fixtures.qwen3TokenizerJson();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Tokenizer tokenizer = null;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            long c0 = threads.getCurrentThreadCpuTime();
            tokenizer = Tokenizer.fromTokenizerJson(json);
            System.out.printf("load %d: %.0f ms wall, %.0f ms cpu of this thread%n", i,
                    (System.nanoTime() - t0) / 1e6, (threads.getCurrentThreadCpuTime() - c0) / 1e6);
        }
        List<Fixtures.EncodeCase> cases = Fixtures.encodeCases();
        StringBuilder corpus = new StringBuilder();
        while (corpus.length() < 4_000_000) {
            for (Fixtures.EncodeCase c : cases) {
                corpus.append(c.text()).append('\n');
            }
        }
        // Split into documents of ~4 KB so the measurement is of many encode calls, as in real use.
        String all = corpus.toString();
        List<String> documents = new java.util.ArrayList<>();
        for (int i = 0; i < all.length(); i += 4096) {
            int end = Math.min(all.length(), i + 4096);
            if (end < all.length() && Character.isHighSurrogate(all.charAt(end - 1))) {
                end++;
            }
            documents.add(all.substring(i, end));
            i = end - 4096;
        }
        long bytes = all.getBytes(StandardCharsets.UTF_8).length;
        for (int round = 0; round < 15; round++) {
            long t0 = System.nanoTime();
            long c0 = threads.getCurrentThreadCpuTime();
            long tokens = 0;
            for (String doc : documents) {
                tokens += tokenizer.encode(doc).length;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            System.out.printf("encode round %d: %.1f MB, %.1f MB/s wall, %.1f MB/s cpu, %.2f M tokens/s cpu%n",
                    round, bytes / 1e6, bytes / 1e6 / s, bytes / 1e6 / cpu, tokens / 1e6 / cpu);
        }
        // Unique random words defeat the piece cache: this measures pre-tokenization + BPE on every piece.
        java.util.Random random = new java.util.Random(5);
        List<String> randomDocs = new java.util.ArrayList<>();
        long randomBytes = 0;
        for (int d = 0; d < 1000; d++) {
            StringBuilder doc = new StringBuilder();
            while (doc.length() < 4000) {
                doc.append(' ');
                int length = 2 + random.nextInt(9);
                for (int i = 0; i < length; i++) {
                    doc.append((char) ('a' + random.nextInt(26)));
                }
            }
            randomDocs.add(doc.toString());
            randomBytes += doc.length();
        }
        for (int round = 0; round < 6; round++) {
            long c0 = threads.getCurrentThreadCpuTime();
            for (String doc : randomDocs) {
                tokenizer.encode(doc);
            }
            double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            System.out.printf("encode random words (cache misses) round %d: %.1f MB/s cpu%n", round,
                    randomBytes / 1e6 / cpu);
        }
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(QwenSplitter.PATTERN,
                java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);
        for (int round = 0; round < 6; round++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long pieces = 0;
            for (String doc : documents) {
                for (int i = 0; i < doc.length(); i = QwenSplitter.pieceEnd(doc, i, doc.length())) {
                    pieces++;
                }
            }
            double scanner = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            c0 = threads.getCurrentThreadCpuTime();
            long regexPieces = 0;
            for (String doc : documents) {
                java.util.regex.Matcher m = pattern.matcher(doc);
                while (m.find()) {
                    regexPieces++;
                }
            }
            double regex = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            System.out.printf("split round %d: scanner %.1f MB/s, java.util.regex %.1f MB/s cpu (%d/%d pieces)%n",
                    round, bytes / 1e6 / scanner, bytes / 1e6 / regex, pieces, regexPieces);
        }
        int[][] encoded = documents.stream().map(tokenizer::encode).toArray(int[][]::new);
        for (int round = 0; round < 8; round++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long chars = 0;
            for (int[] ids : encoded) {
                chars += tokenizer.decode(ids).length();
            }
            double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            System.out.printf("decode round %d: %.1f MB/s cpu of UTF-8 output (%d chars)%n", round,
                    bytes / 1e6 / cpu, chars);
        }
    }
}
