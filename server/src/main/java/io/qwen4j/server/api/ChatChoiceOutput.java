package io.qwen4j.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwen4j.server.engine.TokenLogprob;

import java.util.List;

/** One choice of a chat completion: the message as it streams (deltas) and as a whole, with its logprobs. */
final class ChatChoiceOutput {

    private final StringBuilder content = new StringBuilder();
    private final ArrayNode logprobs;
    String finishReason;

    ChatChoiceOutput(boolean withLogprobs) {
        this.logprobs = withLogprobs ? Json.MAPPER.createArrayNode() : null;
    }

    /** The delta for newly generated text, or null when there is nothing to send. */
    ObjectNode delta(String text) {
        if (text.isEmpty()) {
            return null;
        }
        content.append(text);
        ObjectNode d = Json.object();
        d.put("content", text);
        return d;
    }

    /** Logprobs of the tokens behind a delta, in OpenAI's {@code {"content": [...]}} shape. */
    ObjectNode logprobs(List<TokenLogprob> tokens) {
        ArrayNode items = Json.MAPPER.createArrayNode();
        for (TokenLogprob t : tokens) {
            ObjectNode item = LogprobJson.chatItem(t);
            items.add(item);
            if (logprobs != null) {
                logprobs.add(item);
            }
        }
        ObjectNode o = Json.object();
        o.set("content", items);
        o.putNull("refusal");
        return o;
    }

    ObjectNode message() {
        ObjectNode m = Json.object();
        m.put("role", "assistant");
        m.put("content", content.toString());
        m.putNull("refusal");
        return m;
    }

    /** The whole choice's logprobs, or null when none were asked for. */
    ObjectNode allLogprobs() {
        if (logprobs == null) {
            return null;
        }
        ObjectNode o = Json.object();
        o.set("content", logprobs);
        o.putNull("refusal");
        return o;
    }
}
