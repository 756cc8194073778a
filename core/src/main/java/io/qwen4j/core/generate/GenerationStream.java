package io.qwen4j.core.generate;

import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.generate.output.OutputParser;
import io.qwen4j.core.generate.output.ParsedOutput;
import io.qwen4j.core.generate.output.ReasoningParser.Phase;
import io.qwen4j.core.generate.output.ThinkingStart;
import io.qwen4j.core.generate.sampling.Sampler;
import io.qwen4j.core.generate.sampling.SamplerConfig;
import io.qwen4j.core.generate.sampling.StopStringMatcher;
import io.qwen4j.core.tokenizer.StreamingDecoder;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * The rules of one generation, one draw per {@link #step}: sampling, the constraint after the think block, stop
 * tokens and strings, streamed text, output parsing and the thinking budget. It never runs the model: each call
 * returns the tokens to feed and the caller hands back the logits that follow them, so {@link Generator} can drive
 * one session with it and a scheduler many sequences in one batch.
 */
public final class GenerationStream {

    private static final int[] NONE = new int[0];

    private final Tokenizer tokenizer;
    private final int promptLength;
    private final GenerateOptions options;
    private final Consumer<String> onText;
    private final String promptTurn;
    private final ThinkingStart start;
    private final int thinkId;
    private final OutputParser parser;
    private final StreamingDecoder decoder;
    private final StopStringMatcher stops;
    private final Sampler sampler;
    private final ConstraintGate gate;
    private final StringBuilder text = new StringBuilder();
    private final int vocabularySize;
    private final int maxNew;
    private final int[] history;
    private int historyLength;
    private int fed;
    private int outputTokens;
    private int reasoningTokens = -1;
    private int reasoningDrawn;
    private int lastToken = -1;
    private boolean injected;
    private boolean forcedPrefixDone;
    private FinishReason reason = FinishReason.LENGTH;
    private boolean ended;
    private boolean finished;

    /**
     * @param onText  receives each piece of text as soon as it is final (may be null)
     * @param onEvent receives reasoning and content pieces and tool calls as soon as each is final (may be null)
     */
    public GenerationStream(Tokenizer tokenizer, int[] promptIds, GenerateOptions options, int contextLength,
                            int vocabularySize, Consumer<String> onText, Consumer<OutputEvent> onEvent) {
        this.tokenizer = tokenizer;
        this.promptLength = promptIds.length;
        this.options = options;
        this.onText = onText == null ? s -> { } : onText;
        this.promptTurn = lastTurn(tokenizer, promptIds);
        this.start = ThinkingStart.ofPrompt(promptTurn);
        this.thinkId = tokenizer.tokenId("<think>").orElse(-1);
        this.parser = new OutputParser(start, onEvent);
        this.decoder = tokenizer.newStreamingDecoder(false);
        this.stops = new StopStringMatcher(options.stopStrings());
        SamplerConfig config = options.sampler() != null ? options.sampler()
                : RecommendedSampling.forMode(RecommendedSampling.isThinking(start, tokenizer)).build();
        this.sampler = new Sampler(config, vocabularySize);
        this.gate = new ConstraintGate(options.constraint() == null ? null : options.constraint().get(),
                start == ThinkingStart.MAY_OPEN ? thinkId : -1);
        this.vocabularySize = vocabularySize;
        this.maxNew = Math.max(0, Math.min(options.maxTokens(), contextLength - promptIds.length));
        this.history = Arrays.copyOf(promptIds, promptIds.length + maxNew);
        this.historyLength = promptIds.length;
        this.fed = promptIds.length;
    }

    /** What to feed after the prompt before the first draw: the empty think block of a budget of 0, or nothing. */
    public int[] begin() {
        return begin(null);
    }

    /**
     * As {@link #begin()}, then {@code forcedPrefix} (may be null) as if the model had written it; the constraint
     * never sees it and the first draw no longer counts as the model's first token.
     */
    public int[] begin(String forcedPrefix) {
        int from = historyLength;
        ThinkingBudget budget = options.thinkingBudget();
        if (budget != null && budget.tokens() == 0 && maxNew > 0) {
            String close = switch (start) {
                case IN_THINK -> ThinkingBudget.closeEmpty(promptTurn.substring(promptTurn.lastIndexOf("<think>") + "<think>".length()));
                case MAY_OPEN -> thinkId >= 0 ? ThinkingBudget.EMPTY_BLOCK : null;
                case CLOSED -> null;
            };
            if (close != null) {
                injected = true;
                appendInjected(close);
            }
        }
        if (forcedPrefix != null) {
            appendInjected(forcedPrefix);
            forcedPrefixDone = true;
        }
        return toFeed(from);
    }

    /**
     * Draws the next token from {@code logits} (which it may modify) and processes it.
     *
     * @return the tokens to feed next (one, or more after an injected stop-thinking text); empty once it has ended
     */
    public int[] step(float[] logits) {
        lastToken = -1;
        if (ended()) {
            return NONE;
        }
        Phase before = parser.phase();
        boolean first = outputTokens == 0 && !forcedPrefixDone;
        gate.mask(logits, vocabularySize, before, first);
        int token = sampler.sample(logits, history, historyLength);
        gate.accept(token, before, first);
        lastToken = token;
        int from = historyLength;
        append(token);
        if (options.stopTokens().contains(token)) {
            reason = FinishReason.STOP;
            ended = true;
            return NONE;
        }
        process(token, before);
        if (before == Phase.REASONING || parser.phase() == Phase.REASONING) {
            reasoningDrawn++;
        }
        ThinkingBudget budget = options.thinkingBudget();
        if (!ended && budget != null && !injected && parser.phase() == Phase.REASONING
                && reasoningDrawn >= budget.tokens()) {
            injected = true;
            appendInjected(budget.stopText());
        }
        return toFeed(from);
    }

    /** Whether nothing more will be drawn: a stop, the token limit, or a cancel. */
    public boolean ended() {
        return ended || outputTokens >= maxNew;
    }

    /** Ends the generation as CANCELLED before the next draw. */
    public void cancel() {
        reason = FinishReason.CANCELLED;
        ended = true;
    }

    /**
     * The written tokens never handed out to feed, all but the last: what a session must still ingest to hold every
     * output token but the last (the last is never fed, since nothing follows it).
     */
    public int[] unfedButLast() {
        return historyLength - 1 > fed ? Arrays.copyOfRange(history, fed, historyLength - 1) : NONE;
    }

    /** Releases held-back text unless a stop string cut it (a stop string found here is a STOP) and ends parsing. */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        ended = true;
        if (!stops.stopped()) {
            emit(stops.append(decoder.flush()));
            if (!stops.stopped()) {
                emit(stops.flush());
            } else if (reason == FinishReason.LENGTH) {
                reason = FinishReason.STOP;
            }
        }
        parser.finish();
        if (reasoningTokens < 0) {
            reasoningTokens = parser.phase() == Phase.REASONING ? outputTokens : 0;
        }
    }

    /** The token the last {@link #step} drew, or -1 when it drew none. */
    public int lastToken() {
        return lastToken;
    }

    /** Tokens written so far (drawn and injected). */
    public int outputTokens() {
        return outputTokens;
    }

    /** The written tokens, with the end-of-generation token that stopped them, if any. */
    public int[] outputIds() {
        return Arrays.copyOfRange(history, promptLength, historyLength);
    }

    /** All text streamed so far. */
    public String text() {
        return text.toString();
    }

    public FinishReason finishReason() {
        return reason;
    }

    /** Valid after {@link #finish()}. */
    public ParsedOutput output() {
        return parser.result();
    }

    /** Valid after {@link #finish()}. */
    public Usage usage() {
        return new Usage(promptLength, outputTokens, reasoningTokens);
    }

    /** Valid after {@link #finish()}. */
    public int reasoningTokens() {
        return reasoningTokens;
    }

    /** The tokens appended since {@code from}, or none when nothing will follow them. */
    private int[] toFeed(int from) {
        if (ended()) {
            return NONE;
        }
        fed = historyLength;
        return Arrays.copyOfRange(history, from, historyLength);
    }

    /** Text fed as if the model wrote it, as much as the token limit lets in; the constraint never sees it. */
    private void appendInjected(String injectedText) {
        for (int token : tokenizer.encode(injectedText)) {
            if (ended()) {
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
