package io.qwen4j.core.tokenizer;

import org.junit.jupiter.api.Test;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Properties that hold for any input: encode never fails and decoding gives back the NFC text. */
class TokenizerPropertiesTest {

    private static String randomText(Random random) {
        StringBuilder sb = new StringBuilder();
        int length = random.nextInt(40);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(6)) {
                case 0 -> sb.append((char) random.nextInt(0x80));
                case 1 -> sb.append(" \n\t\r'".charAt(random.nextInt(5)));
                case 2 -> sb.append((char) random.nextInt(0x10000)); // includes lone surrogates
                case 3 -> sb.appendCodePoint(0x10000 + random.nextInt(0x100000));
                case 4 -> sb.append("e\u0301\u212B\uFB01\uAC00\u1100\u1161".charAt(random.nextInt(7)));
                default -> sb.append("<|im_end|>");
            }
        }
        return sb.toString();
    }

    @Test
    void decodeOfEncodeIsTheNfcTextForAnyString() {
        Tokenizer tokenizer = Fixtures.qwen3();
        Random random = new Random(99);
        for (int round = 0; round < 5_000; round++) {
            String text = randomText(random);
            int[] ids = tokenizer.encode(text);
            String expected = Tokenizer.replaceLoneSurrogates(text);
            // NFC applies to each stretch between added tokens on its own
            StringBuilder nfc = new StringBuilder();
            for (String part : expected.split("(?<=<\\|im_end\\|>)|(?=<\\|im_end\\|>)", -1)) {
                nfc.append(part.equals("<|im_end|>") ? part : Normalizer.normalize(part, Normalizer.Form.NFC));
            }
            assertEquals(nfc.toString(), tokenizer.decode(ids), () -> Fixtures.preview(text));
            StreamingDecoder stream = tokenizer.newStreamingDecoder(false);
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                streamed.append(stream.append(id));
            }
            streamed.append(stream.flush());
            assertEquals(nfc.toString(), streamed.toString());
        }
    }

    @Test
    void concurrentEncodingGivesTheSameIds() throws Exception {
        Tokenizer tokenizer = Tokenizer.fromTokenizerJson(Fixtures.qwen3TokenizerJson());
        List<Fixtures.EncodeCase> cases = Fixtures.encodeCases();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 50;
                futures.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        for (int i = 0; i < cases.size(); i++) {
                            Fixtures.EncodeCase c = cases.get((i + offset) % cases.size());
                            assertArrayEquals(c.ids(), tokenizer.encode(c.text()), c::toString);
                        }
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
