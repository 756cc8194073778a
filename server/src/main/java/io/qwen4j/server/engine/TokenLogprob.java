package io.qwen4j.server.engine;

import java.util.List;

/**
 * A generated token with its log probability under the model's distribution (after penalties and constraints,
 * before temperature and the top-k/top-p/min-p filters), and the most likely alternatives at that step.
 *
 * @param text  the token's text (a token that ends inside a UTF-8 character shows U+FFFD)
 * @param bytes the token's exact bytes (a UTF-8 character may span several tokens)
 * @param top   the most likely tokens at this step, most likely first (empty when not asked for)
 */
public record TokenLogprob(int id, String text, byte[] bytes, double logprob, List<TokenLogprob> top) {

    public TokenLogprob {
        bytes = bytes.clone();
        top = List.copyOf(top);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }
}
