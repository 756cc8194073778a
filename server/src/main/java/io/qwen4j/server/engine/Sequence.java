package io.qwen4j.server.engine;

import io.qwen4j.core.constrain.TokenConstraint;
import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.ThinkingBudget;
import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.generate.output.OutputParser;
import io.qwen4j.core.generate.output.ReasoningParser.Phase;
import io.qwen4j.core.generate.output.ThinkingStart;
import io.qwen4j.core.generate.sampling.Sampler;
import io.qwen4j.core.generate.sampling.StopStringMatcher;
import io.qwen4j.core.tokenizer.StreamingDecoder;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * One choice being generated, one draw per {@link #step}. It follows the rules of core's generation loop
 * ({@code io.qwen4j.core.generate.Generator}) exactly: the same draws, stops, limits, streamed text, output parsing
 * (reasoning, content, tool calls), thinking budget and constraint applied after the think block. It is driven
 * from outside, since the scheduler batches many sequences into one forward pass: each call returns the tokens
 * to feed, and the scheduler hands back the logits that follow them.
 */
final class Sequence {

    private static final int[] NONE = new int[0];

    final GenerationJob job;
    final int choice;
    private final ChoiceSettings settings;
    private final Tokenizer tokenizer;
    private final int vocab;
    private final Sampler sampler;
    private final StreamingDecoder decoder;
    private final StopStringMatcher stops;
    private final TokenConstraint constraint;
    private final ThinkingStart start;
    private final String promptTurn;
    private final int thinkId;
    private final OutputParser parser;
    private final List<OutputEvent> events = new ArrayList<>();
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private final int[] history;
    private int historyLength;
    private final int maxNew;
    private int outputTokens;
    private int reasoningTokens = -1;
    private int reasoningDrawn;
    private boolean injected;
    private FinishReason reason = FinishReason.LENGTH;
    private boolean ended;
    private boolean forcedPrefixDone;
    private boolean finished;

    Sequence(GenerationJob job, int choice, Tokenizer tokenizer, int vocabularySize, int contextLength) {
        this.job = job;
        this.choice = choice;
        this.settings = job.choices.get(choice);
        this.tokenizer = tokenizer;
        this.vocab = vocabularySize;
        this.sampler = new Sampler(settings.sampler(), vocabularySize);
        this.decoder = tokenizer.newStreamingDecoder(false);
        this.stops = new StopStringMatcher(settings.stopStrings());
        this.constraint = settings.constraint() == null ? null : settings.constraint().get();
        this.promptTurn = lastTurn(tokenizer, job.prompt);
        this.start = ThinkingStart.ofPrompt(promptTurn);
        this.thinkId = tokenizer.tokenId("<think>").orElse(-1);
        this.parser = new OutputParser(start, events::add);
        this.maxNew = Math.max(0, Math.min(settings.maxTokens(), contextLength - job.prompt.length));
        this.history = Arrays.copyOf(job.prompt, job.prompt.length + maxNew);
        this.historyLength = job.prompt.length;
    }

    /** Tokens written so far (drawn and injected). */
    int outputTokens() {
        return outputTokens;
    }

    /**
     * What to feed after the prompt before the first draw: the empty think block of a budget of 0 (as the generator
     * does) and a forced prefix. Empty when the first draw follows the prompt directly, or when the sequence has
     * already ended ({@link #live()} tells which).
     */
    int[] begin() {
        int from = historyLength;
        if (maxNew == 0) {
            end();
            return NONE;
        }
        ThinkingBudget budget = settings.thinkingBudget();
        if (budget != null && budget.tokens() == 0) {
            String close = switch (start) {
                case IN_THINK -> closeEmpty(promptTurn.substring(promptTurn.lastIndexOf("<think>") + "<think>".length()));
                case MAY_OPEN -> thinkId >= 0 ? EMPTY_BLOCK : null;
                case CLOSED -> null;
            };
            if (close != null) {
                injected = true;
                appendInjected(close);
            }
        }
        if (settings.forcedPrefix() != null) {
            appendInjected(settings.forcedPrefix());
            forcedPrefixDone = true;
        }
        int[] feed = toFeed(from);
        if (ended || outputTokens >= maxNew) {
            end();
        }
        return feed;
    }

    /**
     * Draws the next token from {@code logits} (which it may modify) and streams what became final.
     *
     * @return the tokens to feed next (one, or more after an injected stop-thinking text); empty when the choice
     *         has ended and the listener has been told why
     */
    int[] step(float[] logits) {
        if (ended || outputTokens >= maxNew) {
            end();
            return NONE;
        }
        Phase before = parser.phase();
        boolean first = outputTokens == 0 && !forcedPrefixDone;
        mask(logits, before, first);
        int token = sampler.sample(logits, history, historyLength);
        if (settings.topLogprobs() >= 0) {
            logprobs.add(Logprobs.of(logits, vocab, token, settings.topLogprobs(), tokenizer));
        }
        accept(token, before, first);
        int from = historyLength;
        append(token);
        if (settings.stopTokens().contains(token)) {
            reason = FinishReason.STOP;
            ended = true;
            end();
            return NONE;
        }
        process(token, before);
        if (before == Phase.REASONING || parser.phase() == Phase.REASONING) {
            reasoningDrawn++;
        }
        ThinkingBudget budget = settings.thinkingBudget();
        if (!ended && budget != null && !injected && parser.phase() == Phase.REASONING
                && reasoningDrawn >= budget.tokens()) {
            injected = true;
            appendInjected(budget.stopText());
        }
        int[] feed = toFeed(from);
        if (feed.length == 0) {
            end();
        } else {
            flush();
        }
        return feed;
    }

    /** Ends the choice from outside (client gone, shutdown): nothing more is streamed. */
    void cancel() {
        job.listener.onFinished(choice, FinishReason.CANCELLED, outputTokens, 0);
    }

    /** The tokens appended since {@code from}, or none when the sequence cannot go on. */
    private int[] toFeed(int from) {
        if (ended || outputTokens >= maxNew) {
            return NONE;
        }
        return Arrays.copyOfRange(history, from, historyLength);
    }

    /** Whether the sequence goes on (false once it has ended and told the listener). */
    boolean live() {
        return !finished;
    }

    // Constraint only on the answer: not inside a think block, and the model may still open one at its first token.
    private void mask(float[] logits, Phase phase, boolean first) {
        if (constraint == null || phase == Phase.REASONING) {
            return;
        }
        boolean mayOpen = first && phase == Phase.UNDECIDED && thinkId >= 0 && thinkId < vocab;
        float think = mayOpen ? logits[thinkId] : 0f;
        constraint.mask(logits, vocab);
        if (mayOpen) {
            logits[thinkId] = think;
        }
    }

    private void accept(int token, Phase phase, boolean first) {
        if (constraint == null || phase == Phase.REASONING || (first && phase == Phase.UNDECIDED && token == thinkId)) {
            return;
        }
        constraint.accept(token);
    }

    /** Text fed as if the model wrote it, as much as the token limit lets in; the constraint never sees it. */
    private void appendInjected(String injectedText) {
        for (int token : tokenizer.encode(injectedText)) {
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

    private void process(int token, Phase before) {
        emit(stops.append(decoder.append(token)));
        if (stops.stopped()) {
            reason = FinishReason.STOP;
            ended = true;
        }
        if (reasoningTokens < 0 && before != Phase.CONTENT && parser.phase() == Phase.CONTENT && parser.sawThinkBlock()) {
            reasoningTokens = outputTokens;
        }
    }

    private void emit(String piece) {
        if (!piece.isEmpty()) {
            text.append(piece);
            parser.append(piece);
        }
    }

    /** As the generator ends: release held-back text unless a stop string cut it; a stop string found here is a STOP. */
    private void end() {
        if (finished) {
            return;
        }
        finished = true;
        if (!stops.stopped()) {
            emit(stops.append(decoder.flush()));
            if (!stops.stopped()) {
                emit(stops.flush());
            } else if (reason == FinishReason.LENGTH) {
                reason = FinishReason.STOP;
            }
        }
        parser.finish();
        ended = true;
        flush();
        if (reasoningTokens < 0) {
            reasoningTokens = parser.phase() == Phase.REASONING ? outputTokens : 0;
        }
        job.listener.onFinished(choice, reason, outputTokens, reasoningTokens);
    }

    private void flush() {
        if (text.isEmpty() && events.isEmpty() && logprobs.isEmpty()) {
            return;
        }
        job.listener.onOutput(choice, text.toString(), List.copyOf(events), List.copyOf(logprobs));
        text.setLength(0);
        events.clear();
        logprobs.clear();
    }

    /** The empty think block Qwen3's template writes when thinking is off (as core's ThinkingBudget). */
    private static final String EMPTY_BLOCK = "<think>\n\n</think>\n\n";

    /** What closes a block the prompt opened holding {@code written}, so that it reads as the empty one. */
    private static String closeEmpty(String written) {
        String inside = EMPTY_BLOCK.substring("<think>".length());
        return inside.startsWith(written) ? inside.substring(written.length()) : "\n</think>\n\n";
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
