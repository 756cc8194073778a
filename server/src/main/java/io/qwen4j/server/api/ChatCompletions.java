package io.qwen4j.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwen4j.core.chat.template.TemplateException;
import io.qwen4j.core.generate.RecommendedSampling;
import io.qwen4j.core.generate.ThinkingBudget;
import io.qwen4j.core.generate.output.ThinkingStart;
import io.qwen4j.server.engine.ChoiceSettings;
import io.qwen4j.server.engine.GenerationJob;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code POST /v1/chat/completions}: the conversation through the model's chat template, streamed or whole. */
public final class ChatCompletions {

    private final ServerContext server;

    public ChatCompletions(ServerContext server) {
        this.server = server;
    }

    public void handle(Context ctx, JsonNode body) throws IOException {
        ChatRequest request = ChatRequest.parse(body, server.scheduler().parallel());
        String text = render(request);
        int[] prompt = server.model().tokenizer().encode(text);
        server.checkPromptFits(prompt.length, "messages");
        SamplingFields sampling = request.sampling();
        boolean thinking = RecommendedSampling.isThinking(ThinkingStart.ofPrompt(text), server.model().tokenizer());
        ChoiceSettings base = new ChoiceSettings(
                server.maxTokens(sampling.maxTokens(), server.maxTokensCap()), sampling.sampler(thinking),
                sampling.stopTokens(server.model().endOfGenerationIds()), sampling.stop(), request.topLogprobs(),
                Constraints.forRequest(request, server.model()),
                request.thinkingBudget() == null ? null : ThinkingBudget.of(request.thinkingBudget()),
                Constraints.forcesToolCall(request) ? Constraints.TOOL_CALL_PREFIX : null);
        if (base.forcedPrefix() != null && server.model().tokenizer().tokenId("<tool_call>").isEmpty()) {
            throw ApiException.invalid("tool_choice", "this model has no <tool_call> token, so it cannot be made to call a tool");
        }
        List<ChoiceSettings> choices = new ArrayList<>();
        for (int i = 0; i < sampling.n(); i++) {
            choices.add(base.withSeed(base.sampler().seed() + i));
        }
        JobEvents events = new JobEvents();
        Generation generation = new Generation(List.of(new GenerationJob(prompt, choices, events.listener(0))), events);
        generation.submit(server.scheduler());

        String id = Ids.next("chatcmpl-");
        long created = System.currentTimeMillis() / 1000;
        ChatChoiceOutput[] outputs = new ChatChoiceOutput[sampling.n()];
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = new ChatChoiceOutput(request.topLogprobs() >= 0);
        }
        String[] finishReasons = new String[outputs.length];
        if (sampling.stream()) {
            stream(ctx, generation, outputs, id, created, sampling.includeUsage());
        } else {
            generation.run(new Generation.Sink() {
                @Override
                public void output(JobEvents.Output o) {
                    outputs[o.choice()].deltas(o.parts());
                    if (!o.logprobs().isEmpty()) {
                        outputs[o.choice()].logprobs(o.logprobs());
                    }
                }

                @Override
                public void finished(JobEvents.Finished f) {
                    finishReasons[f.choice()] = outputs[f.choice()].finishReason(f.reason());
                }
            });
            ObjectNode response = envelope(id, created, "chat.completion");
            ArrayNode list = response.putArray("choices");
            for (int i = 0; i < outputs.length; i++) {
                ObjectNode c = list.addObject();
                c.put("index", i);
                c.set("message", outputs[i].message());
                c.set("logprobs", outputs[i].allLogprobs());
                c.put("finish_reason", finishReasons[i]);
            }
            response.set("usage", generation.usage.toJson());
            ctx.contentType("application/json").result(Json.write(response));
        }
    }

    private void stream(Context ctx, Generation generation, ChatChoiceOutput[] outputs, String id, long created,
                        boolean includeUsage) throws IOException {
        SseStream sse = new SseStream(ctx.res());
        for (int i = 0; i < outputs.length; i++) {
            ObjectNode delta = Json.object();
            delta.put("role", "assistant");
            delta.put("content", "");
            sse.send(chunk(id, created, i, delta, null, null, includeUsage));
        }
        generation.run(new Generation.Sink() {
            @Override
            public void output(JobEvents.Output o) throws IOException {
                ChatChoiceOutput out = outputs[o.choice()];
                List<ObjectNode> deltas = out.deltas(o.parts());
                ObjectNode logprobs = o.logprobs().isEmpty() ? null : out.logprobs(o.logprobs());
                if (deltas.isEmpty() && logprobs != null) {
                    deltas = List.of(Json.object());
                }
                for (int i = 0; i < deltas.size(); i++) {
                    sse.send(chunk(id, created, o.choice(), deltas.get(i), i == 0 ? logprobs : null, null, includeUsage));
                }
            }

            @Override
            public void finished(JobEvents.Finished f) throws IOException {
                sse.send(chunk(id, created, f.choice(), Json.object(), null, outputs[f.choice()].finishReason(f.reason()),
                        includeUsage));
            }

            @Override
            public void idle() throws IOException {
                sse.keepAlive();
            }
        });
        if (includeUsage) {
            ObjectNode last = envelope(id, created, "chat.completion.chunk");
            last.putArray("choices");
            last.set("usage", generation.usage.toJson());
            sse.send(last);
        }
        sse.done();
    }

    private ObjectNode chunk(String id, long created, int index, ObjectNode delta, ObjectNode logprobs,
                             String finishReason, boolean includeUsage) {
        ObjectNode chunk = envelope(id, created, "chat.completion.chunk");
        ObjectNode c = chunk.putArray("choices").addObject();
        c.put("index", index);
        c.set("delta", delta);
        c.set("logprobs", logprobs);
        c.put("finish_reason", finishReason);
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private ObjectNode envelope(String id, long created, String object) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", server.modelId());
        o.put("system_fingerprint", Ids.FINGERPRINT);
        return o;
    }

    private String render(ChatRequest request) {
        if (server.chatFormat() == null) {
            throw ApiException.invalid("messages", "the model ships no chat template; use /v1/completions with a prompt");
        }
        try {
            return server.chatFormat().renderValues(request.messages(), request.tools(), true,
                    request.templateKwargs().isEmpty() ? Map.of() : request.templateKwargs());
        } catch (TemplateException e) {
            throw ApiException.invalid("messages", "the chat template rejected the conversation: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("messages", e.getMessage());
        }
    }
}
