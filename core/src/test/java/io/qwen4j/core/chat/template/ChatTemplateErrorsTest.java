package io.qwen4j.core.chat.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Errors reach the caller with the template's position and message, and never hang or overflow the stack. */
class ChatTemplateErrorsTest {

    private static TemplateSyntaxException syntaxError(String template) {
        return assertThrows(TemplateSyntaxException.class, () -> ChatTemplate.compile(template));
    }

    private static TemplateRenderException renderError(String template, Map<String, Object> variables) {
        ChatTemplate compiled = ChatTemplate.compile(template);
        return assertThrows(TemplateRenderException.class, () -> compiled.render(variables));
    }

    @Test
    void unclosedBlockNamesTheOpeningTagAndItsLine() {
        TemplateSyntaxException e = syntaxError("hello\n{% if x %}\n{{ y }}");
        assertEquals(3, e.line());
        assertEquals("unexpected end of template: the 'if' tag opened at line 2 is never closed"
                + " (expected 'elif' or 'else' or 'endif')", e.reason());
        assertTrue(e.getMessage().startsWith("template line 3, column "), e.getMessage());
    }

    @Test
    void unclosedPrintTagPointsAtItsStart() {
        TemplateSyntaxException e = syntaxError("ab\ncd {{ x ");
        assertEquals(2, e.line());
        assertEquals(4, e.column());
        assertEquals("tag '{{' is never closed; expected '}}'", e.reason());
    }

    @Test
    void wrongClosingTagIsReported() {
        TemplateSyntaxException e = syntaxError("{% for i in l %}{% endif %}");
        assertEquals(1, e.line());
        assertEquals(20, e.column());
        assertEquals("unexpected 'endif'; expected 'else' or 'endfor' to close the 'for' tag opened at line 1",
                e.reason());
    }

    @Test
    void unknownFilterAndTestAreCompileErrorsAtTheirName() {
        TemplateSyntaxException filter = syntaxError("a\n  {{ x | nosuch }}");
        assertEquals("no filter named 'nosuch'", filter.reason());
        assertEquals(2, filter.line());
        assertEquals(10, filter.column());
        TemplateSyntaxException test = syntaxError("{{ x is nosuch }}");
        assertEquals("no test named 'nosuch'", test.reason());
        assertEquals(9, test.column());
    }

    @Test
    void unknownAndUnsupportedTagsAreNamed() {
        assertEquals("unknown tag 'do'", syntaxError("{% do x %}").reason());
        assertEquals("unsupported construct: the 'include' tag", syntaxError("{% include 'x.j2' %}").reason());
        assertEquals("unsupported construct: the 'extends' tag", syntaxError("{% extends 'b' %}").reason());
        assertEquals("unsupported construct: recursive for loops",
                syntaxError("{% for x in y recursive %}{% endfor %}").reason());
        assertEquals("'break' outside loop", syntaxError("{% break %}").reason());
        assertEquals("unexpected '}', expected ')'", syntaxError("{{ (1 }}").reason());
    }

    @Test
    void raiseExceptionMessageReachesTheCaller() {
        String template = "{%- for m in messages %}\n"
                + "  {%- if m.role not in ['user', 'assistant'] %}\n"
                + "    {{- raise_exception('Unknown role: ' ~ m.role) }}\n"
                + "  {%- endif %}\n"
                + "{%- endfor %}";
        Map<String, Object> vars = Map.of("messages", List.of(Map.of("role", "robot")));
        TemplateRenderException e = renderError(template, vars);
        assertTrue(e.raisedByTemplate());
        assertEquals("Unknown role: robot", e.reason());
        assertEquals(3, e.line());
        assertEquals("template line 3: Unknown role: robot", e.getMessage());
    }

    @Test
    void runtimeErrorsCarryTheLine() {
        TemplateRenderException e = renderError("line1\n{{ 'a' }}\n{{ s.nosuch() }}", Map.of("s", "x"));
        assertFalse(e.raisedByTemplate());
        assertEquals(3, e.line());
        assertEquals("'str object' has no attribute 'nosuch'", e.reason());
    }

    @Test
    void qwen3RejectsAssistantContentNullAsHuggingFaceDoes() throws Exception {
        Path qwen3 = Path.of(System.getProperty("qwen4j.testdata")).resolve("chat/templates/qwen3.jinja");
        Map<String, Object> assistant = new HashMap<>();
        assistant.put("role", "assistant");
        assistant.put("content", null);
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", List.of(Map.of("role", "user", "content", "hi"), assistant));
        vars.put("tools", null);
        TemplateRenderException e = renderError(Files.readString(qwen3, StandardCharsets.UTF_8), vars);
        assertEquals("argument of type 'NoneType' is not iterable", e.reason());
        assertEquals(34, e.line());
    }

    @Test
    void runawayMacroRecursionStopsWithAClearError() {
        TemplateRenderException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> renderError("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", Map.of()));
        assertEquals("macro recursion too deep: more than " + Limits.MAX_MACRO_DEPTH
                + " nested macro calls (calling 'f')", e.reason());
    }

    @Test
    void deeplyNestedSourceIsASyntaxErrorNotAStackOverflow() {
        String deep = "{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}";
        assertTrue(syntaxError(deep).reason().startsWith("expression nested too deeply"));
        String blocks = "{% if true %}".repeat(1000) + "{% endif %}".repeat(1000);
        assertTrue(syntaxError(blocks).reason().startsWith("blocks nested too deeply"));
    }

    @Test
    void hugeResultsAreRefusedInsteadOfExhaustingMemory() {
        assertTrue(renderError("{{ 'x' * 10000000000 }}", Map.of()).reason().startsWith("result too large"));
        assertEquals("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).",
                renderError("{% for i in range(1000000) %}{% endfor %}", Map.of()).reason());
    }

    @Test
    void mutatingMethodsAreUnsafeAsInTheSandbox() {
        Map<String, Object> vars = new HashMap<>();
        List<Object> list = new ArrayList<>(List.of(1L));
        vars.put("l", list);
        assertEquals("access to attribute 'append' of 'list' object is unsafe.",
                renderError("{{ l.append(2) }}", vars).reason());
        assertEquals(List.of(1L), list);
    }

    @Test
    void strftimeNowReadsTheGivenClock() {
        Clock clock = Clock.fixed(Instant.parse("2025-03-07T14:05:09Z"), ZoneOffset.UTC);
        String out = ChatTemplate.compile("{{ strftime_now('%d %b %Y %H:%M:%S %A %B %y %j %p %I %%') }}")
                .withClock(clock).render(Map.of());
        assertEquals("07 Mar 2025 14:05:09 Friday March 25 066 PM 02 %", out);
    }

    @Test
    void renderingNeitherChangesInputsNorDependsOnEarlierRenders() {
        ChatTemplate t = ChatTemplate.compile("{% set x = x + 1 %}{{ x }}{% set ns = namespace(c=0) %}"
                + "{% for i in l %}{% set ns.c = ns.c + i %}{% endfor %}{{ ns.c }}");
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("x", 1);
        vars.put("l", List.of(1, 2, 3));
        assertEquals("26", t.render(vars));
        assertEquals("26", t.render(vars));
        assertEquals(1, vars.get("x"));
    }

    @Test
    void javaNumberTypesFromJacksonPrintAsPythonNumbers() {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("i", 7);
        vars.put("big", new java.math.BigInteger("123456789012345678901234567890"));
        vars.put("f", 2.0);
        vars.put("b", true);
        assertEquals("7 123456789012345678901234567890 2.0 True 123456789012345678901234567897 3.0",
                ChatTemplate.compile("{{ i }} {{ big }} {{ f }} {{ b }} {{ big + i }} {{ f + b }}").render(vars));
        assertEquals("{\"i\": 7, \"big\": 123456789012345678901234567890, \"f\": 2.0, \"b\": true}",
                ChatTemplate.compile("{{ v|tojson }}").render(Map.of("v", vars)));
    }
}
