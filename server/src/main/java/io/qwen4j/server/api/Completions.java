package io.qwen4j.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwen4j.core.generate.RecommendedSampling;
import io.qwen4j.core.generate.output.ThinkingStart;
import io.qwen4j.server.engine.ChoiceSettings;
import io.qwen4j.server.engine.GenerationJob;
import io.qwen4j.server.engine.TokenLogprob;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/completions}: continues raw prompts (no chat template). {@code prompt} is a string, a list of
 * strings, a list of token ids or a list of such lists; each prompt gets n choices, numbered prompt by prompt.
 */
public final class Completions {

    /** OpenAI's default for this endpoint. */
    static final int DEFAULT_MAX_TOKENS = 16;
    static final int MAX_LOGPROBS = 5;
    static final int MAX_PROMPTS = 64;

    private final ServerContext server;

    public Completions(ServerContext server) {
        this.server = server;
    }

    public void handle(Context ctx, JsonNode body) throws IOException {
        Fields.string(body, "model", "model");
        List<int[]> prompts = prompts(body);
        List<String> promptTexts = new ArrayList<>();
        for (int[] p : prompts) {
            promptTexts.add(server.model().tokenizer().decode(p));
        }
        Long logprobs = Fields.integer(body, "logprobs", 0, MAX_LOGPROBS);
        Boolean echoField = Fields.bool(body, "echo");
        boolean echo = echoField != null && echoField;
        if (echo && logprobs != null) {
            throw ApiException.invalid("echo", "'echo' with 'logprobs' is not supported: prompt tokens get no logprobs here");
        }
        String suffix = Fields.string(body, "suffix", "suffix");
        if (suffix != null && !suffix.isEmpty()) {
            throw ApiException.invalid("suffix", "'suffix' (insertion) is not supported");
        }
        SamplingFields sampling = SamplingFields.parse(body, "max_tokens", server.scheduler().parallel());
        Long bestOf = Fields.integer(body, "best_of", 1, Integer.MAX_VALUE);
        if (bestOf != null && bestOf != sampling.n()) {
            throw ApiException.invalid("best_of", "'best_of' is not supported unless it equals n");
        }
        JobEvents events = new JobEvents();
        List<GenerationJob> jobs = new ArrayList<>();
        long seed = sampling.sampler(false).seed(); // one seed for the request: random unless it fixed one
        for (int p = 0; p < prompts.size(); p++) {
            boolean thinking = RecommendedSampling.isThinking(ThinkingStart.ofPrompt(promptTexts.get(p)),
                    server.model().tokenizer());
            ChoiceSettings base = new ChoiceSettings(server.maxTokens(sampling.maxTokens(), DEFAULT_MAX_TOKENS),
                    sampling.sampler(thinking), sampling.stopTokens(server.model().endOfGenerationIds()), sampling.stop(),
                    logprobs == null ? -1 : logprobs.intValue());
            List<ChoiceSettings> choices = new ArrayList<>();
            for (int i = 0; i < sampling.n(); i++) {
                choices.add(base.withSeed(seed + i));
            }
            jobs.add(new GenerationJob(prompts.get(p), choices, events.listener(p * sampling.n())));
        }
        Generation generation = new Generation(jobs, events);
        generation.submit(server.scheduler());

        String id = Ids.next("cmpl-");
        long created = System.currentTimeMillis() / 1000;
        int total = prompts.size() * sampling.n();
        StringBuilder[] texts = new StringBuilder[total];
        LegacyLogprobs[] lps = new LegacyLogprobs[total];
        String[] finish = new String[total];
        for (int i = 0; i < total; i++) {
            texts[i] = new StringBuilder(echo ? promptTexts.get(i / sampling.n()) : "");
            lps[i] = logprobs == null ? null : new LegacyLogprobs();
        }
        if (sampling.stream()) {
            SseStream sse = new SseStream(ctx.res());
            if (echo) {
                for (int i = 0; i < total; i++) {
                    sse.send(chunk(id, created, i, texts[i].toString(), null, null, sampling.includeUsage()));
                }
            }
            generation.run(new Generation.Sink() {
                @Override
                public void output(JobEvents.Output o) throws IOException {
                    ObjectNode lp = null;
                    if (lps[o.choice()] != null) {
                        LegacyLogprobs part = new LegacyLogprobs();
                        part.add(o.logprobs(), 0);
                        lp = part.toJson();
                    }
                    sse.send(chunk(id, created, o.choice(), o.text(), lp, null, sampling.includeUsage()));
                }

                @Override
                public void finished(JobEvents.Finished f) throws IOException {
                    sse.send(chunk(id, created, f.choice(), "", null, FinishReasons.api(f.reason()), sampling.includeUsage()));
                }

                @Override
                public void idle() throws IOException {
                    sse.keepAlive();
                }
            });
            if (sampling.includeUsage()) {
                ObjectNode last = envelope(id, created);
                last.putArray("choices");
                last.set("usage", generation.usage.toJson());
                sse.send(last);
            }
            sse.done();
            return;
        }
        generation.run(new Generation.Sink() {
            @Override
            public void output(JobEvents.Output o) {
                if (lps[o.choice()] != null) {
                    lps[o.choice()].add(o.logprobs(), texts[o.choice()].length());
                }
                texts[o.choice()].append(o.text());
            }

            @Override
            public void finished(JobEvents.Finished f) {
                finish[f.choice()] = FinishReasons.api(f.reason());
            }
        });
        ObjectNode response = envelope(id, created);
        ArrayNode list = response.putArray("choices");
        for (int i = 0; i < total; i++) {
            ObjectNode c = list.addObject();
            c.put("text", texts[i].toString());
            c.put("index", i);
            c.set("logprobs", lps[i] == null ? null : lps[i].toJson());
            c.put("finish_reason", finish[i]);
        }
        response.set("usage", generation.usage.toJson());
        ctx.contentType("application/json").result(Json.write(response));
    }

    private ObjectNode chunk(String id, long created, int index, String text, ObjectNode logprobs, String finishReason,
                             boolean includeUsage) {
        ObjectNode chunk = envelope(id, created);
        ObjectNode c = chunk.putArray("choices").addObject();
        c.put("text", text);
        c.put("index", index);
        c.set("logprobs", logprobs);
        c.put("finish_reason", finishReason);
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private ObjectNode envelope(String id, long created) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", "text_completion");
        o.put("created", created);
        o.put("model", server.modelId());
        o.put("system_fingerprint", Ids.FINGERPRINT);
        return o;
    }

    /** {@code prompt}: a string, strings, token ids, or lists of token ids. */
    private List<int[]> prompts(JsonNode body) {
        JsonNode v = Fields.get(body, "prompt");
        if (v == null) {
            throw ApiException.invalid("prompt", "'prompt' is missing");
        }
        List<int[]> out = new ArrayList<>();
        if (v.isTextual()) {
            out.add(encode(v.asText(), "prompt"));
        } else if (v.isArray() && !v.isEmpty() && v.get(0).isIntegralNumber()) {
            out.add(ids(v, "prompt"));
        } else if (v.isArray() && !v.isEmpty()) {
            if (v.size() > MAX_PROMPTS) {
                throw ApiException.invalid("prompt", "'prompt' holds at most " + MAX_PROMPTS + " prompts, got " + v.size());
            }
            for (int i = 0; i < v.size(); i++) {
                JsonNode p = v.get(i);
                String at = "prompt[" + i + "]";
                if (p.isTextual()) {
                    out.add(encode(p.asText(), at));
                } else if (p.isArray()) {
                    out.add(ids(p, at));
                } else {
                    throw Fields.wrongType(at, "a string or an array of token ids", p);
                }
            }
        } else {
            throw Fields.wrongType("prompt", "a string, an array of strings, or token ids", v);
        }
        for (int i = 0; i < out.size(); i++) {
            server.checkPromptFits(out.get(i).length, out.size() == 1 ? "prompt" : "prompt[" + i + "]");
        }
        return out;
    }

    private int[] encode(String text, String at) {
        int[] ids = server.model().tokenizer().encode(text);
        if (ids.length == 0) {
            throw ApiException.invalid(at, "'" + at + "' is empty: there is nothing to continue");
        }
        return ids;
    }

    private int[] ids(JsonNode list, String at) {
        int vocab = server.model().config().vocabSize();
        if (list.isEmpty()) {
            throw ApiException.invalid(at, "'" + at + "' is empty: there is nothing to continue");
        }
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = list.get(i);
            if (!t.canConvertToExactIntegral() || t.asLong() < 0 || t.asLong() >= vocab) {
                throw ApiException.invalid(at + "[" + i + "]", "'" + at + "[" + i + "]' must be a token id between 0 and "
                        + (vocab - 1) + ", got " + t);
            }
            ids[i] = t.asInt();
        }
        return ids;
    }

    /** The legacy logprobs shape: tokens, token_logprobs, top_logprobs (token to logprob), text_offset. */
    private static final class LegacyLogprobs {
        private final ArrayNode tokens = Json.MAPPER.createArrayNode();
        private final ArrayNode tokenLogprobs = Json.MAPPER.createArrayNode();
        private final ArrayNode top = Json.MAPPER.createArrayNode();
        private final ArrayNode offsets = Json.MAPPER.createArrayNode();

        void add(List<TokenLogprob> list, int offset) {
            int at = offset;
            for (TokenLogprob t : list) {
                tokens.add(t.text());
                tokenLogprobs.add(t.logprob());
                ObjectNode alternatives = top.addObject();
                for (TokenLogprob alt : t.top()) {
                    alternatives.put(alt.text(), alt.logprob());
                }
                offsets.add(at);
                at += t.text().length();
            }
        }

        ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.set("tokens", tokens);
            o.set("token_logprobs", tokenLogprobs);
            o.set("top_logprobs", top);
            o.set("text_offset", offsets);
            return o;
        }
    }
}
