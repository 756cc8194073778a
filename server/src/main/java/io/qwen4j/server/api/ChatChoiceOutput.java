package io.qwen4j.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.generate.output.ToolCall;
import io.qwen4j.core.generate.output.ToolCallError;
import io.qwen4j.server.engine.TokenLogprob;

import java.util.List;

/**
 * One choice of a chat completion, taken apart by core's output parser: {@code reasoning_content} (the think
 * block), {@code content} and {@code tool_calls}, as stream deltas and as the whole message, with its logprobs.
 * A {@code <tool_call>} block that is not a valid call stays in the content as the model wrote it.
 */
final class ChatChoiceOutput {

    private final StringBuilder content = new StringBuilder();
    private StringBuilder reasoning;
    private final ArrayNode toolCalls = Json.MAPPER.createArrayNode();
    private final ArrayNode logprobs;

    ChatChoiceOutput(boolean withLogprobs) {
        this.logprobs = withLogprobs ? Json.MAPPER.createArrayNode() : null;
    }

    /** The deltas for new output parts, in order: consecutive text of one kind merged, each tool call on its own. */
    List<ObjectNode> deltas(List<OutputEvent> parts) {
        List<ObjectNode> out = new java.util.ArrayList<>();
        ObjectNode text = null;
        for (OutputEvent e : parts) {
            switch (e) {
                case OutputEvent.Reasoning r -> {
                    if (reasoning == null) {
                        reasoning = new StringBuilder();
                    }
                    reasoning.append(r.text());
                    text = appendText(out, text, "reasoning_content", r.text());
                }
                case OutputEvent.Content c -> {
                    content.append(c.text());
                    text = appendText(out, text, "content", c.text());
                }
                case ToolCallError err -> {
                    content.append(err.raw());
                    text = appendText(out, text, "content", err.raw());
                }
                case ToolCall call -> {
                    ObjectNode item = toolCallJson(call, toolCalls.size());
                    toolCalls.add(item);
                    ObjectNode d = Json.object();
                    d.putArray("tool_calls").add(item.deepCopy());
                    out.add(d);
                    text = null;
                }
            }
        }
        return out;
    }

    /** Adds text to the current delta when it carries the same field only, else starts a new delta. */
    private static ObjectNode appendText(List<ObjectNode> out, ObjectNode current, String field, String text) {
        if (text.isEmpty()) {
            return current;
        }
        if (current != null && current.size() == 1 && current.has(field)) {
            current.put(field, current.get(field).asText() + text);
            return current;
        }
        ObjectNode d = Json.object();
        d.put(field, text);
        out.add(d);
        return d;
    }

    private static ObjectNode toolCallJson(ToolCall call, int index) {
        ObjectNode item = Json.object();
        item.put("index", index);
        item.put("id", call.id());
        item.put("type", "function");
        ObjectNode f = item.putObject("function");
        f.put("name", call.name());
        f.put("arguments", call.argumentsJson());
        return item;
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

    /** OpenAI's finish_reason: "tool_calls" when the answer ended after calling tools. */
    String finishReason(FinishReason reason) {
        return reason == FinishReason.STOP && !toolCalls.isEmpty() ? "tool_calls" : FinishReasons.api(reason);
    }

    ObjectNode message() {
        ObjectNode m = Json.object();
        m.put("role", "assistant");
        if (content.isEmpty() && !toolCalls.isEmpty()) {
            m.putNull("content");
        } else {
            m.put("content", content.toString());
        }
        if (reasoning != null) {
            m.put("reasoning_content", reasoning.toString());
        }
        if (!toolCalls.isEmpty()) {
            ArrayNode calls = m.putArray("tool_calls");
            for (var call : toolCalls) {
                ObjectNode c = ((ObjectNode) call).deepCopy();
                c.remove("index");
                calls.add(c);
            }
        }
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
