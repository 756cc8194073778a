package io.qwen4j.core.constrain;

import io.qwen4j.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskTest {

    // ids 256.. in this order; 269 = <|end|> (end of generation), 270 = <think>, 271 = a padding row
    private static final List<String> EXTRA = List.of("[\"", "tr", "true", "ue", "\"]", "\",\"", "ab", "a\"", "é",
            "[t", " x", "\n", "]]");
    private static final int END = 269;
    private static final int THINK = 270;
    private static final int MODEL_VOCAB = 272;

    private static final Tokenizer TOKENIZER = HandMadeVocabulary.tokenizer(EXTRA);
    private static final TokenVocabulary VOCAB = TokenVocabulary.of(TOKENIZER, MODEL_VOCAB, Set.of(END));
    private static final Grammar GRAMMAR = Grammar.fromGbnf("""
            root ::= "[" item ("," item)* "]"
            item ::= "true" | "\\"" [^"\\\\\\x00-\\x1F]* "\\""
            """);

    private static int id(String token) {
        return 256 + EXTRA.indexOf(token);
    }

    /** The ids the constraint allows after the given tokens. */
    private static Set<Integer> allowedAfter(int... tokens) {
        TokenConstraint c = GRAMMAR.newConstraint(VOCAB);
        for (int t : tokens) {
            c.accept(t);
        }
        float[] logits = new float[MODEL_VOCAB];
        c.mask(logits, MODEL_VOCAB);
        Set<Integer> allowed = new TreeSet<>();
        for (int i = 0; i < MODEL_VOCAB; i++) {
            if (logits[i] == 0f) {
                allowed.add(i);
            } else {
                assertEquals(Float.NEGATIVE_INFINITY, logits[i]);
            }
        }
        return allowed;
    }

    private static Set<Integer> ids(int... ids) {
        Set<Integer> s = new TreeSet<>();
        for (int i : ids) {
            s.add(i);
        }
        return s;
    }

    @Test
    void atTheStartOnlyTokensBeginningTheArray() {
        assertEquals(ids('[', id("[\""), id("[t")), allowedAfter());
    }

    @Test
    void tokensMayCrossGrammarElements() {
        // after "[": a string may open ("\"]" and "\",\"" are a string of one character) or true may start
        assertEquals(ids('"', 't', id("tr"), id("true"), id("\"]"), id("\",\"")), allowedAfter('['));
        assertEquals(ids('r'), allowedAfter(id("[t")));
        assertEquals(ids('u', id("ue")), allowedAfter(id("[t"), 'r'));
        assertEquals(ids(',', ']'), allowedAfter('[', id("true")));
    }

    @Test
    void insideAStringEveryCharacterTokenButNoControlOrBackslash() {
        Set<Integer> expected = new TreeSet<>();
        IntStream.rangeClosed(0x20, 0x7F).filter(b -> b != '\\').forEach(expected::add);
        IntStream.rangeClosed(0xC2, 0xF4).forEach(expected::add); // a character's first byte; the rest may follow
        for (String t : EXTRA) {
            if (!t.equals("\n")) {
                expected.add(id(t));
            }
        }
        assertEquals(expected, allowedAfter(id("[\"")));
        assertEquals(expected, allowedAfter(id("[\""), 'a', id("é"), ' '));
    }

    @Test
    void aCharacterSplitAcrossTokensNeedsItsContinuationBytes() {
        Set<Integer> continuation = new TreeSet<>();
        IntStream.rangeClosed(0x80, 0xBF).forEach(continuation::add);
        assertEquals(continuation, allowedAfter(id("[\""), 0xC3));
        Set<Integer> afterE0 = new TreeSet<>();
        IntStream.rangeClosed(0xA0, 0xBF).forEach(afterE0::add); // no overlong three-byte forms
        assertEquals(afterE0, allowedAfter(id("[\""), 0xE0));
    }

    @Test
    void endOfGenerationOnlyWhenCompleteAndThenForced() {
        assertEquals(ids(END), allowedAfter('[', id("true"), ']'));
        assertEquals(ids(END), allowedAfter(id("[\""), id("ab"), id("\"]")));
        TokenConstraint c = GRAMMAR.newConstraint(VOCAB);
        assertFalse(c.isComplete());
        c.accept('[');
        c.accept(id("true"));
        assertFalse(c.isComplete());
        assertThrows(IllegalArgumentException.class, () -> c.accept(END));
        c.accept(']');
        assertTrue(c.isComplete());
        c.accept(END);
        assertThrows(IllegalStateException.class, () -> c.mask(new float[MODEL_VOCAB], MODEL_VOCAB));
    }

    @Test
    void addedTokensPaddingAndRejectedTokensAreRefused() {
        for (Set<Integer> allowed : List.of(allowedAfter(), allowedAfter('['), allowedAfter(id("[\"")))) {
            assertFalse(allowed.contains(THINK));
            assertFalse(allowed.contains(271));
            assertFalse(allowed.contains(END));
        }
        TokenConstraint c = GRAMMAR.newConstraint(VOCAB);
        assertThrows(IllegalArgumentException.class, () -> c.accept(THINK));
        assertThrows(IllegalArgumentException.class, () -> c.accept('x'));
        c.accept('['); // a refused token leaves the state as it was
        assertEquals(ids('"', 't', id("tr"), id("true"), id("\"]"), id("\",\"")), allowedAfter('['));
    }

    @Test
    void afterATriggerTokenTheGrammarApplies() {
        TokenConstraint c = GRAMMAR.newConstraintAfter(VOCAB, THINK);
        float[] logits = new float[MODEL_VOCAB];
        c.mask(logits, MODEL_VOCAB);
        assertEquals(Float.NEGATIVE_INFINITY, logits[END]); // cannot end before the answer
        assertEquals(0f, logits['x']);
        assertEquals(0f, logits[THINK]);
        c.accept('x');
        c.accept(id("]]"));
        assertFalse(c.isComplete());
        c.accept(THINK);
        assertFalse(c.isComplete());
        logits = new float[MODEL_VOCAB];
        c.mask(logits, MODEL_VOCAB);
        assertEquals(0f, logits['[']);
        assertEquals(Float.NEGATIVE_INFINITY, logits['x']);
        for (int t : new int[] {'[', id("true"), ']'}) {
            c.accept(t);
        }
        assertTrue(c.isComplete());
        assertThrows(IllegalArgumentException.class, () -> GRAMMAR.newConstraintAfter(VOCAB, MODEL_VOCAB));
    }

    @Test
    void logitsBeyondTheModelVocabularyAreMasked() {
        TokenConstraint c = GRAMMAR.newConstraint(VOCAB);
        float[] logits = new float[MODEL_VOCAB + 10];
        c.mask(logits, logits.length);
        for (int i = MODEL_VOCAB; i < logits.length; i++) {
            assertEquals(Float.NEGATIVE_INFINITY, logits[i]);
        }
        assertEquals(0f, logits['[']);
    }
}
