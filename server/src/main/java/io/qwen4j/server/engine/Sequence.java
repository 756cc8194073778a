package io.qwen4j.server.engine;

import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.GenerateOptions;
import io.qwen4j.core.generate.GenerationStream;
import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * One choice being generated, one draw per {@link #step}, by core's {@link GenerationStream}: the same rules as
 * {@code io.qwen4j.core.generate.Generator}. It adds what the server needs: logprobs, a forced prefix, and the
 * output collected per step for the listener. The scheduler batches many sequences into one forward pass: each call
 * returns the tokens to feed, and the scheduler hands back the logits that follow them.
 */
final class Sequence {

    private static final int[] NONE = new int[0];

    final GenerationJob job;
    final int choice;
    private final ChoiceSettings settings;
    private final Tokenizer tokenizer;
    private final int vocab;
    private final GenerationStream stream;
    private final StringBuilder text = new StringBuilder();
    private final List<OutputEvent> events = new ArrayList<>();
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    private boolean finished;

    Sequence(GenerationJob job, int choice, Tokenizer tokenizer, int vocabularySize, int contextLength) {
        this.job = job;
        this.choice = choice;
        this.settings = job.choices.get(choice);
        this.tokenizer = tokenizer;
        this.vocab = vocabularySize;
        GenerateOptions options = new GenerateOptions(settings.maxTokens(), settings.sampler(), settings.stopTokens(),
                settings.stopStrings(), settings.constraint(), settings.thinkingBudget());
        this.stream = new GenerationStream(tokenizer, job.prompt, options, contextLength, vocabularySize,
                text::append, events::add);
    }

    /** Tokens written so far (drawn and injected). */
    int outputTokens() {
        return stream.outputTokens();
    }

    /**
     * What to feed after the prompt before the first draw: the empty think block of a budget of 0 (as the generator
     * does) and a forced prefix. Empty when the first draw follows the prompt directly, or when the sequence has
     * already ended ({@link #live()} tells which).
     */
    int[] begin() {
        int[] feed = stream.begin(settings.forcedPrefix());
        if (stream.ended()) {
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
        if (stream.ended()) {
            end();
            return NONE;
        }
        int[] feed = stream.step(logits);
        if (settings.topLogprobs() >= 0) {
            // the logits as the draw saw them: masked by the constraint, penalised
            logprobs.add(Logprobs.of(logits, vocab, stream.lastToken(), settings.topLogprobs(), tokenizer));
        }
        if (feed.length == 0) {
            end();
        } else {
            flush();
        }
        return feed;
    }

    /** Ends the choice from outside (client gone, shutdown): nothing more is streamed. */
    void cancel() {
        job.listener.onFinished(choice, FinishReason.CANCELLED, stream.outputTokens(), 0);
    }

    /** Whether the sequence goes on (false once it has ended and told the listener). */
    boolean live() {
        return !finished;
    }

    private void end() {
        if (finished) {
            return;
        }
        finished = true;
        stream.finish();
        flush();
        job.listener.onFinished(choice, stream.finishReason(), stream.outputTokens(), stream.reasoningTokens());
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
}
