package io.qwen4j.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwen4j.server.engine.TokenLogprob;


/** Token logprobs in OpenAI's shapes: chat's list of items, and the legacy completions' parallel arrays. */
final class LogprobJson {

    private LogprobJson() {
    }

    /** {@code {"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}]}}. */
    static ObjectNode chatItem(TokenLogprob t) {
        ObjectNode item = entry(t);
        ArrayNode top = item.putArray("top_logprobs");
        for (TokenLogprob alt : t.top()) {
            top.add(entry(alt));
        }
        return item;
    }

    private static ObjectNode entry(TokenLogprob t) {
        ObjectNode o = Json.object();
        o.put("token", t.text());
        o.put("logprob", t.logprob());
        ArrayNode bytes = o.putArray("bytes");
        for (byte b : t.bytes()) {
            bytes.add(b & 0xff);
        }
        return o;
    }
}
