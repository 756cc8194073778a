package io.qwen4j.core.constrain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GbnfGrammarTest {

    private static void accepts(Grammar g, String... texts) {
        for (String t : texts) {
            assertTrue(g.matches(t), () -> "should accept \"" + t + "\"\n" + g.gbnf());
        }
    }

    private static void rejects(Grammar g, String... texts) {
        for (String t : texts) {
            assertFalse(g.matches(t), () -> "should reject \"" + t + "\"\n" + g.gbnf());
        }
    }

    @Test
    void literalsAlternativesAndGroups() {
        Grammar g = Grammar.fromGbnf("root ::= \"a\" (\"b\" | \"cd\") \"e\" | \"x\"");
        accepts(g, "abe", "acde", "x");
        rejects(g, "", "ab", "abce", "ae", "xe", "abex");
    }

    @Test
    void repetitions() {
        Grammar g = Grammar.fromGbnf("""
                root ::= "<" a* ">" b+ c? d{2} e{1,3} f{2,} g{,1}
                a ::= "a"
                b ::= "b"
                c ::= "c"
                d ::= "d"
                e ::= "e"
                f ::= "f"
                g ::= "g"
                """);
        accepts(g, "<>bddeff", "<aaa>bbbcddeeefffffg", "<>bddeeffg");
        rejects(g, "<>ddeff", "<>bdeff", "<>bddff", "<>bddeeeeff", "<>bddef", "<>bddeffgg", "<>bccddeff");
    }

    @Test
    void characterClassesAndEscapes() {
        Grammar g = Grammar.fromGbnf("root ::= [a-c0-9_] [^a-z\\n] \"\\x41\\u00e9\\t\\\"\\\\\" [\\u4e00-\\u9fff] .");
        accepts(g, "a!Aé\t\"\\中x", "_ZAé\t\"\\一\uD83D\uDE00");
        rejects(g, "d!Aé\t\"\\中x", "aaAé\t\"\\中x", "a\nAé\t\"\\中x", "a!Aé\t\"\\a x", "a!Aé\t\"\\中");
    }

    @Test
    void multiLineRulesAndComments() {
        Grammar g = Grammar.fromGbnf("""
                # a comment
                root ::=
                    item
                    ("," item)*   # trailing comment
                item ::= "x"
                    | "y"
                """);
        accepts(g, "x", "x,y,x");
        rejects(g, "", "x,", "xy");
    }

    @Test
    void recursionThatIsNotLeftRecursion() {
        Grammar g = Grammar.fromGbnf("root ::= \"(\" root \")\" | \"\"");
        accepts(g, "", "()", "((()))");
        rejects(g, "(", "())", ")(");
    }

    @Test
    void emptyAlternativeAndNullableRules() {
        Grammar g = Grammar.fromGbnf("root ::= a b \"!\"\na ::= \"a\" |\nb ::= \"b\"?");
        accepts(g, "!", "a!", "b!", "ab!");
        rejects(g, "ba!", "aa!");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "root ::= \"abc              | 1 | 10 | unterminated string literal",
            "root ::= [abc               | 1 | 10 | unterminated character class",
            "root ::= \"a\"\\nfoo \"b\"  | 2 | 1  | undefined rule \"foo\"",
            "root ::= \"a\" @            | 1 | 14 | unexpected character '@'",
            "root ::= \"a\" )            | 1 | 14 | unexpected \")\" without a matching",
            "root ::= (\"a\"             | 1 | 10 | expected \")\"",
            "root ::= \"a\"{3,1}         | 1 | 13 | maximum below its minimum",
            "root ::= \"\\q\"            | 1 | 11 | unknown escape",
            "root ::= [z-a]              | 1 | 12 | range is backwards",
            "root ::= \"a\"\\nx ::= y    | 2 | 7  | undefined rule \"y\"",
            "root ::= \"a\"\\nroot ::= \"b\" | 2 | 1 | defined twice",
            "root ::= \"\\x4\"           | 1 | 11 | 2 hex digits",
    })
    void syntaxErrorsHaveLineAndColumn(String gbnf, int line, int column, String message) {
        GrammarException e = assertThrows(GrammarException.class,
                () -> Grammar.fromGbnf(gbnf.strip().replace("\\n", "\n")));
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void missingRootAndLeftRecursionAreRejected() {
        GrammarException noRoot = assertThrows(GrammarException.class, () -> Grammar.fromGbnf("a ::= \"x\""));
        assertTrue(noRoot.getMessage().contains("no \"root\" rule"), noRoot.getMessage());
        GrammarException left = assertThrows(GrammarException.class,
                () -> Grammar.fromGbnf("root ::= expr\nexpr ::= expr \"+\" \"1\" | \"1\""));
        assertTrue(left.getMessage().contains("left recursion (expr -> expr)"), left.getMessage());
        GrammarException indirect = assertThrows(GrammarException.class,
                () -> Grammar.fromGbnf("root ::= a\na ::= b? c\nb ::= \"b\"\nc ::= a \"c\" | \"c\""));
        assertTrue(indirect.getMessage().contains("left recursion (a -> c -> a)"), indirect.getMessage());
    }

    @Test
    void llamaCppJsonGrammarParses() {
        Grammar g = Grammar.fromGbnf("""
                root   ::= object
                value  ::= object | array | string | number | ("true" | "false" | "null") ws

                object ::=
                  "{" ws (
                            string ":" ws value
                    ("," ws string ":" ws value)*
                  )? "}" ws

                array  ::=
                  "[" ws (
                            value
                    ("," ws value)*
                  )? "]" ws

                string ::=
                  "\\"" (
                    [^"\\\\\\x7F\\x00-\\x1F] |
                    "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4}) # escapes
                  )* "\\"" ws

                number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws

                # Optional space: by convention, applied in this grammar after literal chars when allowed
                ws ::= | " " | "\\n" [ \\t]{0,20}
                """);
        accepts(g, "{}", "{\"a\": [1, 2.5, {\"b\": null}], \"c\": \"x\\u00e9\\n\"}", "{ \"k\" : true }\n");
        rejects(g, "[]", "{\"a\" 1}", "{\"a\": }", "{\"a\": 1,}", "{'a': 1}");
    }
}
