package io.qwen4j.server.engine;

import java.util.List;

/**
 * A generated token with its log probability under the model's distribution (after penalties and constraints,
 * before temperature and the top-k/top-p/min-p filters), and the most likely alternatives at that step.
 *
 * @param text the token's text (a token that ends inside a UTF-8 character shows U+FFFD)
 * @param top  the most likely tokens at this step, most likely first (empty when not asked for)
 */
public record TokenLogprob(int id, String text, double logprob, List<TokenLogprob> top) {

    public TokenLogprob {
        top = List.copyOf(top);
    }
}
