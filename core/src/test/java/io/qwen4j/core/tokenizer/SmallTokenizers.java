package io.qwen4j.core.tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-made vocabularies: the 256 byte tokens (id = byte value) plus the results of the given merges. */
final class SmallTokenizers {

    private SmallTokenizers() {
    }

    /** @param merges "left right" strings in byte-level form, in rank order */
    static TokenizerSpec spec(List<String> merges, List<TokenizerSpec.AddedToken> added, boolean ignoreMerges) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteLevel.charOf(b)), b);
        }
        String[] left = new String[merges.size()];
        String[] right = new String[merges.size()];
        for (int i = 0; i < merges.size(); i++) {
            String[] parts = merges.get(i).split(" ");
            left[i] = parts[0];
            right[i] = parts[1];
            vocab.putIfAbsent(parts[0] + parts[1], vocab.size());
        }
        List<String> regular = new ArrayList<>(vocab.keySet());
        return new TokenizerSpec("small test vocabulary", regular.toArray(String[]::new), left, right, added, true,
                ignoreMerges);
    }

    static Tokenizer tokenizer(String... merges) {
        return new Tokenizer(spec(List.of(merges), List.of(), false));
    }
}
