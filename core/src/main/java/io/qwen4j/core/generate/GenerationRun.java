package io.qwen4j.core.generate;

import io.qwen4j.core.constrain.TokenConstraint;
import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.generate.output.OutputParser;
import io.qwen4j.core.generate.output.ReasoningParser.Phase;
import io.qwen4j.core.generate.output.ThinkingStart;
import io.qwen4j.core.generate.sampling.Sampler;
import io.qwen4j.core.generate.sampling.SamplerConfig;
import io.qwen4j.core.generate.sampling.StopStringMatcher;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.tokenizer.StreamingDecoder;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** One generation's state: the loop of {@link Generator}, with the think-block bookkeeping it needs. */
final class GenerationRun {

    private final Session session;
    private final Tokenizer tokenizer;
    private final int[] promptIds;
    private final GenerateOptions options;
    private final Consumer<String> onText;
    private final BooleanSupplier cancelled;
    private final String promptTurn;
    private final ThinkingStart start;
    private final OutputParser parser;
    private final StreamingDecoder decoder;
    private final StopStringMatcher stops;
    private final StringBuilder text = new StringBuilder();
    private final int maxNew;
    private final int[] history;
    private int historyLength;
    private int outputTokens;
    private int reasoningTokens = -1;
    private int reasoningDrawn;
    private boolean injected;
    private FinishReason reason = FinishReason.LENGTH;
    private boolean ended;

    GenerationRun(Session session, Tokenizer tokenizer, int[] promptIds, GenerateOptions options,
                  Consumer<String> onText, Consumer<OutputEvent> onEvent, BooleanSupplier cancelled) {
        this.session = session;
        this.tokenizer = tokenizer;
        this.promptIds = promptIds;
        this.options = options;
        this.onText = onText == null ? s -> { } : onText;
        this.cancelled = cancelled;
        this.promptTurn = lastTurn(tokenizer, promptIds);
        this.start = ThinkingStart.ofPrompt(promptTurn);
        this.parser = new OutputParser(start, onEvent);
        this.decoder = tokenizer.newStreamingDecoder(false);
        this.stops = new StopStringMatcher(options.stopStrings());
        this.maxNew = Math.max(0, Math.min(options.maxTokens(), session.contextLength() - promptIds.length));
        this.history = Arrays.copyOf(promptIds, promptIds.length + maxNew);
        this.historyLength = promptIds.length;
    }

    GenerationResult run(int cached) {
        long t0 = System.nanoTime();
        float[] logits = session.ingest(Arrays.copyOfRange(promptIds, cached, promptIds.length));
        long t1 = System.nanoTime();

        int thinkId = tokenizer.tokenId("<think>").orElse(-1);
        SamplerConfig config = options.sampler() != null ? options.sampler()
                : RecommendedSampling.forMode(RecommendedSampling.isThinking(start, tokenizer)).build();
        Sampler sampler = new Sampler(config, session.vocabularySize());
        TokenConstraint constraint = options.constraint() == null ? null : options.constraint().get();
        ConstraintGate gate = new ConstraintGate(constraint, start == ThinkingStart.MAY_OPEN ? thinkId : -1);

        ThinkingBudget budget = options.thinkingBudget();
        if (budget != null && budget.tokens() == 0 && maxNew > 0) {
            String close = switch (start) {
                case IN_THINK -> ThinkingBudget.closeEmpty(promptTurn.substring(promptTurn.lastIndexOf("<think>") + "<think>".length()));
                case MAY_OPEN -> thinkId >= 0 ? ThinkingBudget.EMPTY_BLOCK : null;
                case CLOSED -> null;
            };
            if (close != null) {
                injected = true;
                int from = historyLength;
                appendInjected(close);
                logits = feed(from, logits);
            }
        }
        while (!ended && outputTokens < maxNew) {
            if (cancelled.getAsBoolean()) {
                reason = FinishReason.CANCELLED;
                break;
            }
            Phase before = parser.phase();
            boolean first = outputTokens == 0;
            gate.mask(logits, session.vocabularySize(), before, first);
            int token = sampler.sample(logits, history, historyLength);
            gate.accept(token, before, first);
            int from = historyLength;
            append(token);
            if (options.stopTokens().contains(token)) {
                reason = FinishReason.STOP;
                ended = true;
                break;
            }
            process(token, before);
            if (before == Phase.REASONING || parser.phase() == Phase.REASONING) {
                reasoningDrawn++;
            }
            if (!ended && budget != null && !injected && parser.phase() == Phase.REASONING
                    && reasoningDrawn >= budget.tokens()) {
                injected = true;
                appendInjected(budget.stopText());
            }
            logits = feed(from, logits);
        }
        finish();
        long t2 = System.nanoTime();
        int[] ids = Arrays.copyOfRange(history, promptIds.length, historyLength);
        if (reasoningTokens < 0) {
            reasoningTokens = parser.phase() == Phase.REASONING ? ids.length : 0;
        }
        return new GenerationResult(promptIds.clone(), ids, text.toString(), reason,
                new Timings(promptIds.length - cached, t1 - t0, outputTokens, t2 - t1), parser.result(),
                new Usage(promptIds.length, ids.length, reasoningTokens));
    }

    /** Feeds the tokens appended since {@code from} to the model, all but the last when nothing will follow. */
    private float[] feed(int from, float[] logits) {
        boolean more = !ended && outputTokens < maxNew;
        int to = more ? historyLength : historyLength - 1;
        if (to <= from) {
            return logits;
        }
        return session.ingest(Arrays.copyOfRange(history, from, to));
    }

    /** The stop-thinking text as if the model had written it, as much of it as the token limit lets in. */
    private void appendInjected(String stopText) {
        for (int token : tokenizer.encode(stopText)) {
            if (ended || outputTokens >= maxNew) {
                return;
            }
            Phase before = parser.phase();
            append(token);
            process(token, before);
        }
    }

    private void append(int token) {
        history[historyLength++] = token;
        outputTokens++;
    }

    /** Decodes the token, holds back a possible stop string, and passes what is final on. */
    private void process(int token, Phase before) {
        emit(stops.append(decoder.append(token)));
        if (stops.stopped()) {
            reason = FinishReason.STOP;
            ended = true;
        }
        if (reasoningTokens < 0 && before != Phase.CONTENT && parser.phase() == Phase.CONTENT
                && parser.sawThinkBlock()) {
            reasoningTokens = outputTokens;
        }
    }

    private void finish() {
        if (!stops.stopped()) {
            emit(stops.append(decoder.flush()));
            if (!stops.stopped()) {
                emit(stops.flush());
            } else if (reason == FinishReason.LENGTH) {
                reason = FinishReason.STOP;
            }
        }
        parser.finish();
    }

    private void emit(String piece) {
        if (!piece.isEmpty()) {
            text.append(piece);
            onText.accept(piece);
            parser.append(piece);
        }
    }

    /** The prompt's text from its last {@code <|im_start|>}: the turn being answered. */
    private static String lastTurn(Tokenizer tokenizer, int[] promptIds) {
        OptionalInt imStart = tokenizer.tokenId("<|im_start|>");
        int from = 0;
        if (imStart.isPresent()) {
            for (int i = promptIds.length - 1; i >= 0; i--) {
                if (promptIds[i] == imStart.getAsInt()) {
                    from = i;
                    break;
                }
            }
        }
        return tokenizer.decode(Arrays.copyOfRange(promptIds, from, promptIds.length));
    }
}
