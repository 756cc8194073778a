package io.qwen4j.core.generate;

import io.qwen4j.core.chat.ChatMessage;
import io.qwen4j.core.constrain.TokenConstraint;
import io.qwen4j.core.generate.output.OutputEvent;
import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.Session;
import io.qwen4j.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The thinking budget on the tiny Qwen3 model (random weights: it never closes a think block by itself). */
class ThinkingBudgetTest {

    private static final Path MODEL = Path.of(System.getProperty("qwen4j.testdata")).resolve("models/qwen3-tiny/model.gguf");
    private static Model model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        model = Model.load(MODEL);
        tokenizer = model.tokenizer();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** A Qwen3 prompt; with {@code openThink} it ends inside an open think block, as QwQ's generation prompt does. */
    private static int[] prompt(boolean openThink, Map<String, Object> kwargs) {
        String text = model.chatFormat().orElseThrow().render(List.of(ChatMessage.user("Why is the sky blue?")), true, kwargs);
        return tokenizer.encode(openThink ? text + "<think>\n" : text);
    }

    private static GenerationResult run(int[] prompt, GenerateOptions options, List<OutputEvent> events) {
        Session session = model.newSession(512);
        GenerationResult r = Generator.generate(session, tokenizer, prompt, 0, options, null,
                events == null ? null : events::add, () -> false);
        assertEquals(prompt.length + r.ids().length - 1, session.position(), "every output token but the last is cached");
        return r;
    }

    private static GenerateOptions greedy(int maxTokens) {
        return GenerateOptions.greedy(maxTokens, model.endOfGenerationIds());
    }

    private static int[] slice(int[] a, int from, int to) {
        return Arrays.copyOfRange(a, from, to);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void budgetNLetsTheModelThinkNTokensThenInjectsTheStopTextThenItAnswers() {
        int[] prompt = prompt(true, Map.of());
        int budget = 6;
        int max = 50;
        GenerationResult free = run(prompt, greedy(max), null);
        assertEquals(max, free.ids().length, "the random model neither closes the block nor stops");
        assertEquals(max, free.usage().reasoningTokens(), "a block that never closes is all reasoning");

        List<OutputEvent> events = new ArrayList<>();
        GenerationResult r = run(prompt, greedy(max).withThinkingBudget(ThinkingBudget.of(budget)), events);
        int[] injected = tokenizer.encode(ThinkingBudget.DEFAULT_STOP_TEXT);
        assertEquals(32, injected.length, "the tiny tokenizer knows few merges");
        assertEquals("\n\nConsidering the limited time by the user, I have to give the solution based on the thinking "
                + "directly now.\n</think>\n\n", tokenizer.decode(injected));

        // exactly `budget` tokens of the model's own (the same as without a budget), then the stop text
        assertArrayEquals(slice(free.ids(), 0, budget), slice(r.ids(), 0, budget));
        assertArrayEquals(injected, slice(r.ids(), budget, budget + injected.length));
        String thought = tokenizer.decode(slice(free.ids(), 0, budget));
        assertTrue(r.text().startsWith(thought + ThinkingBudget.DEFAULT_STOP_TEXT), r.text());

        // the model answered after the injected text, as it does from a prompt that holds it
        int answerFrom = budget + injected.length;
        assertEquals(max, r.ids().length);
        GenerationResult resumed = run(concat(prompt, slice(r.ids(), 0, answerFrom)), greedy(max - answerFrom), null);
        assertArrayEquals(resumed.ids(), slice(r.ids(), answerFrom, max));

        // usage: 6 thought + 31 injected up to </think> are reasoning; the injected "\n\n" and the answer are not
        assertEquals(tokenizer.tokenId("</think>").getAsInt(), injected[30]);
        assertEquals(new Usage(prompt.length, 50, 37), r.usage());
        assertEquals(13, r.usage().answerTokens());
        assertEquals(thought.strip() + "\n\nConsidering the limited time by the user, I have to give the solution based on the "
                + "thinking directly now.", r.output().reasoning());
        assertEquals(r.output().reasoning(), events.stream().filter(e -> e instanceof OutputEvent.Reasoning)
                .map(e -> ((OutputEvent.Reasoning) e).text()).reduce("", String::concat));
        assertEquals(tokenizer.decode(resumed.ids()), r.output().content());
    }

    @Test
    void budgetZeroClosesAnOpenBlockAsTheEmptyBlockOfNonThinkingMode() {
        int[] prompt = prompt(true, Map.of());
        GenerationResult r = run(prompt, greedy(10).withThinkingBudget(ThinkingBudget.of(0)), null);
        int[] close = tokenizer.encode("\n</think>\n\n");
        assertArrayEquals(close, slice(r.ids(), 0, close.length));
        assertEquals("", r.output().reasoning());
        assertEquals(new Usage(prompt.length, 10, 2), r.usage(), "\"\\n\" and </think> are the reasoning");
        // the prompt now reads as Qwen3's enable_thinking=false prompt
        String noThink = tokenizer.decode(prompt(false, Map.of("enable_thinking", false)));
        assertEquals(noThink, tokenizer.decode(concat(prompt, close)));
        GenerationResult resumed = run(concat(prompt, close), greedy(10 - close.length), null);
        assertArrayEquals(resumed.ids(), slice(r.ids(), close.length, 10));
        assertEquals(resumed.text(), r.output().content());
    }

    @Test
    void budgetZeroWritesTheWholeEmptyBlockWhenTheModelMayOpenOne() {
        int[] prompt = prompt(false, Map.of());
        GenerationResult r = run(prompt, greedy(10).withThinkingBudget(ThinkingBudget.of(0)), null);
        int[] block = tokenizer.encode("<think>\n\n</think>\n\n");
        assertArrayEquals(block, slice(r.ids(), 0, block.length));
        assertEquals("", r.output().reasoning());
        assertEquals(tokenizer.decode(slice(r.ids(), block.length, r.ids().length)), r.output().content());
    }

    @Test
    void aBudgetChangesNothingWhenThePromptClosedTheBlock() {
        int[] prompt = prompt(false, Map.of("enable_thinking", false));
        GenerationResult plain = run(prompt, greedy(12), null);
        GenerationResult budgeted = run(prompt, greedy(12).withThinkingBudget(ThinkingBudget.of(0)), null);
        assertArrayEquals(plain.ids(), budgeted.ids());
        assertNull(budgeted.output().reasoning());
        assertEquals(0, budgeted.usage().reasoningTokens());
        assertEquals(budgeted.text(), budgeted.output().content());
    }

    @Test
    void theInjectionStopsAtTheTokenLimit() {
        int[] prompt = prompt(true, Map.of());
        GenerationResult r = run(prompt, greedy(8).withThinkingBudget(ThinkingBudget.of(4)), null);
        int[] injected = tokenizer.encode(ThinkingBudget.DEFAULT_STOP_TEXT);
        assertEquals(8, r.ids().length);
        assertArrayEquals(slice(injected, 0, 4), slice(r.ids(), 4, 8));
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(8, r.usage().reasoningTokens());
    }

    @Test
    void aStopTextMustCloseTheBlock() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ThinkingBudget(5, "enough."));
        assertEquals("the stop-thinking text must contain </think> to close the think block, got \"enough.\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ThinkingBudget.of(-1));
    }

    /** Allows one token only and records what it was told. */
    private static final class OnlyToken implements TokenConstraint {
        final int allowed;
        final List<Integer> accepted = new ArrayList<>();

        OnlyToken(int allowed) {
            this.allowed = allowed;
        }

        @Override
        public void mask(float[] logits, int vocabularySize) {
            for (int i = 0; i < vocabularySize; i++) {
                if (i != allowed) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }

        @Override
        public void accept(int tokenId) {
            accepted.add(tokenId);
        }

        @Override
        public boolean isComplete() {
            return false;
        }
    }

    @Test
    void aConstraintAppliesOnlyAfterTheThinkBlockCloses() {
        int[] prompt = prompt(true, Map.of());
        int x = tokenizer.encode("x")[0];
        OnlyToken constraint = new OnlyToken(x);
        GenerationResult free = run(prompt, greedy(3), null);
        GenerationResult r = run(prompt, greedy(50).withThinkingBudget(ThinkingBudget.of(3)).withConstraint(() -> constraint), null);
        int[] injected = tokenizer.encode(ThinkingBudget.DEFAULT_STOP_TEXT);
        assertArrayEquals(free.ids(), slice(r.ids(), 0, 3), "the reasoning is not constrained");
        int answer = 3 + injected.length;
        int[] expected = new int[50 - answer];
        Arrays.fill(expected, x);
        assertArrayEquals(expected, slice(r.ids(), answer, 50));
        assertEquals(Arrays.stream(expected).boxed().toList(), constraint.accepted, "only the answer's tokens reach it");
        assertEquals("x".repeat(50 - answer), r.output().content());
    }

    @Test
    void aConstrainedModelMayStillOpenAThinkBlockAsItsFirstToken() {
        int think = tokenizer.tokenId("<think>").getAsInt();
        int x = tokenizer.encode("x")[0];
        // the constraint allows only x, but <think> stays allowed at the start: a model that prefers it thinks first
        OnlyToken constraint = new OnlyToken(x);
        float[] logits = new float[model.config().vocabSize()];
        new ConstraintGate(constraint, think).mask(logits, logits.length,
                io.qwen4j.core.generate.output.ReasoningParser.Phase.UNDECIDED, true);
        assertEquals(0f, logits[think]);
        assertEquals(0f, logits[x]);
        assertEquals(Float.NEGATIVE_INFINITY, logits[0]);
        logits = new float[logits.length];
        new ConstraintGate(constraint, think).mask(logits, logits.length,
                io.qwen4j.core.generate.output.ReasoningParser.Phase.UNDECIDED, false);
        assertEquals(Float.NEGATIVE_INFINITY, logits[think], "only as the first token");
        assertFalse(constraint.accepted.contains(think));
    }
}
