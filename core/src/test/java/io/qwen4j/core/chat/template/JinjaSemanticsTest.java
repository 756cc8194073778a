package io.qwen4j.core.chat.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Jinja2 semantics, case by case. Every expected string here is what Python 3.11 with Jinja2 3.1.6 in
 * Hugging Face's environment (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols,
 * json.dumps tojson) rendered for the same template and variables.
 */
class JinjaSemanticsTest {
    private static final String VARIABLES_JSON = "{\"x\":5,\"d\":{\"a\":1,\"items\":2,\"b\":[1,2.5,null]},\"l\":[3,1,2],\"s\":\"Hello World\",\"n\":null,\"f\":1.0,\"u\":\"h\\u00e9\\u4e2d\\ud83d\\ude00\",\"msgs\":[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"U1\"},{\"role\":\"assistant\",\"content\":\"A1\"}]}";

    @SuppressWarnings("unchecked")
    private static Map<String, Object> variables() {
        try {
            return new ObjectMapper().readValue(VARIABLES_JSON, LinkedHashMap.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertRenders(String expected, String template) {
        assertEquals(expected, ChatTemplate.compile(template).render(variables()), template);
    }

    private static void assertFails(String expectedReason, String template) {
        TemplateException e = assertThrows(TemplateException.class,
                () -> ChatTemplate.compile(template).render(variables()), template);
        assertEquals(expectedReason, e.reason(), template);
    }

    @Test
    void whitespaceControl() {
        assertRenders("  yes\nend",
                "  {% if true %}\n  yes\n  {% endif %}\nend");
        assertRenders("abc",
                "a  {%- if true -%}  b  {%- endif -%}  c");
        assertRenders("a5b",
                "a\n  {{- x -}}\n  b");
        assertRenders("a\n  x",
                "a\n  {%+ if true %}x{% endif %}\n");
        assertRenders("x",
                "  {# c #}\nx");
        assertRenders("ab",
                "a {#- c -#} b");
        assertRenders("line\n",
                "line\n\n");
        assertRenders("line",
                "line\n");
        assertRenders("x\ny\nz",
                "x\r\ny\rz\n");
        assertRenders("\n x{{ y }}\nz",
                "  {% raw %}\n x{{ y }}\n  {% endraw %}\nz");
        assertRenders("  3\n  1\n  2\n",
                "{% for i in l %}\n  {{ i }}\n{% endfor %}\n");
        assertRenders("312",
                "{% for i in l -%}\n  {{ i }}\n{%- endfor %}");
        assertRenders("\nkeep",
                "{% if true +%}\nkeep{% endif %}");
        assertRenders("5\n5",
                "{{ x }}\n{{ x }}");
        assertRenders("tab",
                "\t{% if true %}tab{% endif %}");
        assertRenders("5",
                "{{+ x }}");
        assertRenders("{'a': 1}",
                "{{ {'a': 1} }}");
        assertRenders("{'a': {'b': 2}}",
                "{{ {'a': {'b': 2}}}}");
    }

    @Test
    void valuesPrintAsPython() {
        assertRenders("None|True|False|1.0|0.1|1e-05|1e+20|1e+16|1000000000000000.0|123456789.123|-0.0|2.5e-07",
                "{{ none }}|{{ true }}|{{ false }}|{{ 1.0 }}|{{ 0.1 }}|{{ 1e-5 }}|{{ 1e20 }}|{{ 1e16 }}|{{ 1e15 }}|{{ 123456789.123 }}|{{ -0.0 }}|{{ 2.5e-7 }}");
        assertRenders("1.0[1, 2.5, None]{'a': 1, 'items': 2, 'b': [1, 2.5, None]}[1, 'a', \"b'c\", 'd\"e', 'f\\'g\"h'](1,)()h\u00e9\u4e2d\ud83d\ude00",
                "{{ f }}{{ d.b }}{{ d }}{{ [1, 'a', \"b'c\", 'd\"e', \"f'g\\\"h\"] }}{{ (1,) }}{{ () }}{{ u }}");
        assertRenders("tab\therenl\nxA\u00e9\ud83d\ude00A\\d",
                "{{ \"tab\\there\" ~ 'nl\\nx' ~ '\\x41\\u00e9\\U0001F600\\101' ~ '\\d' }}");
        assertRenders("['h\u00e9\u4e2d\ud83d\ude00', '\\x00\\x7f\\xa0']",
                "{{ [u, \"\\x00\\x7f\\xa0\"] }}");
        assertRenders("3 -4 -2 0.5 1024 1.4142135623730951 2.5 2.0 2 ababab [1, 1, 1] 0.30000000000000004",
                "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % -3 }} {{ -7.5 % 2 }} {{ 2 ** 10 }} {{ 2 ** 0.5 }} {{ 10 / 4 }} {{ 1 + 1.0 }} {{ true + 1 }} {{ 3 * 'ab' }} {{ [1] * 3 }} {{ 0.1 + 0.2 }}");
        assertRenders("True True True True False True True True True True",
                "{{ 1 == 1.0 }} {{ 'a' < 'b' }} {{ [1,2] < [1,3] }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ none == none }} {{ 'a' in 'cat' }} {{ 1 in l }} {{ 'a' in d }} {{ 'zz' not in d }}");
        assertRenders("yes|0|fallback|0|False",
                "{{ x and 'yes' }}|{{ 0 and 'yes' }}|{{ '' or 'fallback' }}|{{ none or 0 }}|{{ not x }}");
        assertFails("unsupported operand type(s) for +: 'int' and 'str'",
                "{{ 'a' if x > 3 else 'b' }}{{ 'c' if false }}|{{ 1 + 2 ~ 3 }}|{{ 2 * 3 ~ 4 }}|{{ -x|abs }}|{{ l|length - 1 }}");
        assertFails("can only concatenate str (not \"int\") to str",
                "{{ 'a' + 1 }}");
        assertFails("'zz' is undefined",
                "{{ zz + 1 }}");
        assertFails("'zz' is undefined",
                "{{ zz.attr }}");
        assertRenders("",
                "{{ n.attr }}");
        assertFails("'None' has no attribute 'attr'",
                "{{ n.attr.deeper }}");
        assertFails("'dict object' has no attribute 'missing'",
                "{{ d.missing.deeper }}");
        assertRenders("2 1 dflt None",
                "{{ d['items'] }} {{ d.get('a') }} {{ d.get('q', 'dflt') }} {{ d.get('q') }}");
        assertRenders("a=1;items=2;b=[1, 2.5, None];",
                "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}");
        assertRenders("dict_keys(['a', 'items', 'b']) [1, 2, [1, 2.5, None]] [('a', 1), ('items', 2), ('b', [1, 2.5, None])]",
                "{{ d.keys() }} {{ d.values()|list }} {{ d.items()|list }}");
        assertRenders("32|[2, 1, 3][1, 2][3, 1][3, 2]dlroW olleHWorld[3]\u00e9\u4e2d\ud83d\ude00\u4e2d\u00e9h4",
                "{{ l[0] }}{{ l[-1] }}{{ l[5] }}|{{ l[::-1] }}{{ l[1:] }}{{ l[:-1] }}{{ l[::2] }}{{ s[::-1] }}{{ s[-5:] }}{{ s[100:] }}{{ l[-100:1] }}{{ u[1:3] }}{{ u[::-1] }}{{ u|length }}");
        assertRenders("3user",
                "{{ l.0 }}{{ msgs.1.role }}");
    }

    @Test
    void stringMethods() {
        assertRenders("TrueTrueTruehello worldHELLO WORLDHello WorldHello World 1StHello",
                "{{ s.startswith('He') }}{{ s.startswith(('x', 'H')) }}{{ s.endswith('ld') }}{{ s.lower() }}{{ s.upper() }}{{ s.title() }}{{ 'hello wORLD 1st'.title() }}{{ 'hELLO'.capitalize() }}");
        assertRenders("[a][ a ][ a \n][\n\n a ][a]",
                "[{{ '\\n\\n a \\n'.strip() }}][{{ '\\n\\n a \\n'.strip('\\n') }}][{{ '\\n\\n a \\n'.lstrip('\\n') }}][{{ '\\n\\n a \\n'.rstrip('\\n') }}][{{ 'xxaxx'.strip('x') }}]");
        assertRenders("['a', 'b', '', 'c']['a', 'b', 'c']['a', 'b c']['a b', 'c']['a', 'b c ']['  a  b', 'c'][''][]",
                "{{ 'a,b,,c'.split(',') }}{{ '  a  b c '.split() }}{{ 'a b c'.split(' ', 1) }}{{ 'a b c'.rsplit(' ', 1) }}{{ '  a  b c '.split(None, 1) }}{{ '  a  b c '.rsplit(None, 1) }}{{ ''.split(',') }}{{ ''.split() }}");
        assertRenders("aXcaXcaXcabc-a-b-c-25-12a-b",
                "{{ 'abcabc'.replace('b', 'X') }}{{ 'abcabc'.replace('b', 'X', 1) }}{{ 'abc'.replace('', '-') }}{{ 'abcabc'.find('c') }}{{ 'abcabc'.rfind('c') }}{{ 'abcabc'.find('z') }}{{ 'abcabc'.count('bc') }}{{ '-'.join(['a','b']) }}");
        assertRenders("banswer",
                "{{ 'a b'.split(' ')[-1] }}{{ '<think>x</think>\\n\\nanswer'.split('</think>')[-1].lstrip('\\n') }}");
        assertRenders("a and 1 xy",
                "{{ '{} and {}'.format('a', 1) }} {{ '{0}{name}'.format('x', name='y') }}");
    }

    @Test
    void filters() {
        assertRenders("323, 1, 2[1, 2, 3][3, 2, 1]316[2, 1, 3]dlroW olleH",
                "{{ l|first }}{{ l|last }}{{ l|join(', ') }}{{ l|sort }}{{ l|sort(reverse=true) }}{{ l|max }}{{ l|min }}{{ l|sum }}{{ l|reverse|list }}{{ s|reverse }}");
        assertRenders("['system', 'user', 'assistant']system,user,assistant1['S', 'A1']",
                "{{ msgs|map(attribute='role')|list }}{{ msgs|map(attribute='role')|join(',') }}{{ msgs|selectattr('role', 'equalto', 'user')|list|length }}{{ msgs|rejectattr('role', 'eq', 'user')|map(attribute='content')|list }}");
        assertRenders("[1, 3][1, 'a'][1, 3]['A', 'B']",
                "{{ [1, 2, 3, 4]|select('odd')|list }}{{ [0, 1, '', 'a', none]|select|list }}{{ [1, 2, 3, 4]|reject('even')|list }}{{ ['a', 'B']|map('upper')|list }}");
        assertRenders("dfltdfltNoneq",
                "{{ zz|default('dflt') }}{{ ''|default('dflt') }}{{ ''|default('dflt', true) }}{{ none|default('dflt') }}{{ zz|d('q') }}");
        assertRenders("pad|pad|11|11|hello world|HELLO WORLD|Hello world|Hello-World (X)y",
                "{{ '  pad  '|trim }}|{{ 'xxpadxx'|trim('x') }}|{{ s|length }}|{{ s|count }}|{{ s|lower }}|{{ s|upper }}|{{ 'hello world'|capitalize }}|{{ 'hello-world (x)y'|title }}");
        assertRenders("3420733.00.01000.032.04.02.673.03",
                "{{ 3.7|int }}{{ '42'|int }}{{ 'x'|int }}{{ 'x'|int(7) }}{{ '3.9'|int }}{{ 3|float }}{{ 'x'|float }}{{ '1e3'|float }}{{ -3|abs }}{{ 2.5|round }}{{ 3.5|round }}{{ 2.675|round(2) }}{{ 2.1|round(0, 'ceil') }}{{ 3|round }}");
        assertRenders("[('a', 1), ('b', [1, 2.5, None]), ('items', 2)][('A', 2), ('a', 0), ('b', 1)][('b', 1), ('a', 2)][('a', 1), ('items', 2), ('b', [1, 2.5, None])]['a', 'b'][1, 2]",
                "{{ d|dictsort }}{{ {'b': 1, 'A': 2, 'a': 0}|dictsort }}{{ {'b': 1, 'a': 2}|dictsort(by='value') }}{{ d|items|list }}{{ ['a', 'A', 'b']|unique|list }}{{ [1, 2, 1]|unique|list }}");
        assertRenders("a\n    b\n\n    c|  a\n  b|a\n  \n  b|3",
                "{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2, blank=true) }}|{{ 'one two  three'|wordcount }}");
        assertRenders("[[3, 1], [2]][[3, 1], [2, 0]]&lt;a &amp; b&gt;<a>5None[1]",
                "{{ l|batch(2)|list }}{{ l|batch(2, 0)|list }}{{ '<a & b>'|e }}{{ '<a>'|safe }}{{ 5|string }}{{ none|string }}{{ [1]|string }}");
        assertRenders("{\"a\": 1, \"items\": 2, \"b\": [1, 2.5, null]}\"h\u00e9\u4e2d\ud83d\ude00\"[1.0, 1, 1e-07, 1e+16, true, null, \"a\\\"b\\\\c\\n\\t\\u0001\u2028<>&'\"]",
                "{{ d|tojson }}{{ u|tojson }}{{ [1.0, 1, 1e-7, 1e16, true, none, 'a\"b\\\\c\\n\\t\\u0001\\u2028<>&\\''] |tojson }}");
        assertRenders("{\n  \"a\": 1,\n  \"items\": 2,\n  \"b\": [\n    1,\n    2.5,\n    null\n  ]\n}",
                "{{ d|tojson(indent=2) }}");
        assertRenders("{\"a\": 1, \"b\": [1, 2.5, null], \"items\": 2}\"h\\u00e9\\u4e2d\\ud83d\\ude00\"{\"a\":1,\"items\":2,\"b\":[1,2.5,null]}{}[\n  []\n]",
                "{{ d|tojson(sort_keys=true) }}{{ u|tojson(ensure_ascii=true) }}{{ d|tojson(separators=(',', ':')) }}{{ {}|tojson(indent=2) }}{{ [[]]|tojson(indent=2) }}");
        assertRenders("{\"role\": \"system\", \"content\": \"S\"}\n{\"role\": \"user\", \"content\": \"U1\"}\n{\"role\": \"assistant\", \"content\": \"A1\"}",
                "{{ msgs|map('tojson')|join('\\n') }}");
    }

    @Test
    void loopsAndScoping() {
        assertRenders("1032TrueFalse31a;2121FalseFalse332b;3210FalseTrue31a;",
                "{% for i in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.nextitem }}{{ loop.cycle('a', 'b') }};{% endfor %}");
        assertRenders("1/2:3 2/2:2 ",
                "{% for i in l if i > 1 %}{{ loop.index }}/{{ loop.length }}:{{ i }} {% else %}none{% endfor %}");
        assertRenders("empty",
                "{% for i in [] %}x{% else %}empty{% endfor %}");
        assertRenders("3",
                "{% for i in l %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 2 %}{% break %}{% endif %}{{ i }}{% endfor %}");
        assertRenders("3121",
                "{% set y = 1 %}{% for i in l %}{% set y = i %}{{ y }}{% endfor %}{{ y }}");
        assertRenders("7<Namespace {'y': 7}>",
                "{% set ns = namespace(y=1) %}{% for i in l %}{% set ns.y = ns.y + i %}{% endfor %}{{ ns.y }}{{ ns }}");
        assertRenders("|set||",
                "{% for i in range(3) %}{{ q }}{% if i == 1 %}{% set q = 'set' %}{% endif %}{{ q }}|{% endfor %}");
        assertRenders("113 214 1123 224 2",
                "{% for a in [1, 2] %}{% for b in [3, 4] %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{{ loop.index }}{% endfor %}");
        assertRenders("1234",
                "{% for a, b in [(1, 2), [3, 4]] %}{{ a }}{{ b }}{% endfor %}");
        assertFails("too many values to unpack (expected 2)",
                "{% for a, b in [(1, 2, 3)] %}{{ a }}{% endfor %}");
        assertRenders("abcaitemsb",
                "{% for c in 'abc' %}{{ c }}{% endfor %}{% for k in d %}{{ k }}{% endfor %}{% for x in zz %}never{% endfor %}");
        assertFails("'NoneType' object is not iterable",
                "{% for x in n %}{% endfor %}");
        assertRenders("12(1, 2)",
                "{% set a, b = [1, 2] %}{{ a }}{{ b }}{% set t = 1, 2 %}{{ t }}");
        assertRenders("[inner 5]",
                "{% set block %}inner {{ x }}{% endset %}[{{ block }}]");
        assertRenders("[INNER 5]",
                "{% set block | upper %}inner {{ x }}{% endset %}[{{ block }}]");
        assertRenders("HELLO 5",
                "{% filter upper %}hello {{ x }}{% endfilter %}");
        assertRenders("1",
                "{% with a = 1 %}{{ a }}{% endwith %}{{ a }}");
        assertRenders("2assistant 1user 0system ",
                "{% for m in msgs[::-1] %}{{ (msgs|length - 1) - loop.index0 }}{{ m.role }} {% endfor %}");
        assertRenders("[0, 1, 2][1, 4, 7][5, 3, 1]{'a': 1, 'b': 2}",
                "{{ range(3)|list }}{{ range(1, 10, 3)|list }}{{ range(5, 0, -2)|list }}{{ dict(a=1, b=2) }}");
    }

    @Test
    void macros() {
        assertRenders("Hi Bob! Yo Al! Hi Z! [Hi !]",
                "{% macro greet(name, greeting='Hi') %}{{ greeting }} {{ name }}!{% endmacro %}{{ greet('Bob') }} {{ greet('Al', greeting='Yo') }} {{ greet(name='Z') }} [{{ greet() }}]");
        assertRenders("1(2, 3){'k': 4}",
                "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }}");
        assertFails("macro 'm' takes not more than 1 argument(s)",
                "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}");
        assertFails("macro 'm' takes no keyword argument 'b'",
                "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}");
        assertRenders("54321",
                "{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}");
        assertRenders("late",
                "{% macro m() %}{{ x }}{% endmacro %}{% set x = 'late' %}{{ m() }}");
    }

    @Test
    void tests() {
        assertRenders("TrueFalseTrueTrueTrueTrueFalseTrueFalseTrueFalseTrueTrueTrueTrueTrueTrueTrueFalseTrue",
                "{{ x is defined }}{{ zz is defined }}{{ zz is undefined }}{{ n is none }}{{ x is not none }}{{ s is string }}{{ x is string }}{{ d is mapping }}{{ l is mapping }}{{ l is iterable }}{{ x is iterable }}{{ s is sequence }}{{ d is sequence }}{{ x is number }}{{ f is float }}{{ x is integer }}{{ true is boolean }}{{ false is false }}{{ 0 is false }}{{ true is true }}");
        assertRenders("TrueFalseTrueFalseTrueTrueTrueTrueTrueFalseFalseTrueTrueTrueTrue",
                "{{ x is odd }}{{ x is even }}{{ 10 is divisibleby 5 }}{{ 10 is divisibleby(3) }}{{ 'abc' is lower }}{{ 'ABC' is upper }}{{ x is eq 5 }}{{ x is equalto 5 }}{{ x is gt 3 }}{{ x is lt 3 }}{{ x is in l }}{{ 1 is in l }}{{ greet is callable }}{{ s.upper is callable }}{{ none is sameas none }}");
    }

    @Test
    void errorsCarryJinjasMessages() {
        assertFails("Custom failure: 5",
                "{{ raise_exception('Custom failure: ' ~ x) }}");
        assertFails("bad role",
                "{% if x %}{{ raise_exception('bad role') }}{% endif %}");
        assertFails("access to attribute 'append' of 'list' object is unsafe.",
                "{{ l.append(4) }}");
        assertFails("access to attribute 'pop' of 'dict' object is unsafe.",
                "{{ d.pop('a') }}");
        assertFails("'undefinedfn' is undefined",
                "{{ undefinedfn() }}");
        assertFails("'str object' has no attribute 'nosuchmethod'",
                "{{ s.nosuchmethod() }}");
        assertFails("division by zero",
                "{{ 1 / 0 }}");
        assertFails("argument of type 'NoneType' is not iterable",
                "{{ '</think>' in n }}");
        assertFails("Object of type Undefined is not JSON serializable",
                "{{ x|tojson }}{{ zz|tojson }}");
        assertFails("'<' not supported between instances of 'list' and 'str'",
                "{{ l < 'a' }}");
        assertFails("'str object' has no attribute 'missing'",
                "{{ msgs[0].content.missing.x }}");
    }

    @Test
    void moreSemanticCorners() {
        assertRenders("\n",
                "{% if true %}\n\n{% endif %}\n");
        assertRenders("a",
                "  {%- if true %}a{% endif %}");
        assertRenders("x  \na  \ny",
                "x  \n  {% if true -%}\n\n  a  \n  {%- endif %}  \ny");
        assertRenders("  \nA",
                "{% if true %}  \nA{% endif %}");
        assertRenders("after",
                "{# comment #}\n  {# two #}\nafter");
        assertRenders("x",
                "  {#- c #}x");
        assertRenders("  x",
                "  {#+ c #}x");
        assertRenders("a b c",
                "a {% if true %}b{% endif %}\n c");
        assertRenders("a",
                "{{ 'a' }}\n");
        assertRenders("\n  5",
                "\n  {{ x }}\n");
        assertRenders("bodyx",
                "{% raw -%}  \n  body  {%- endraw %}x");
        assertRenders("{% if %}y",
                "{%- raw %}{% if %}{% endraw -%}  \n y");
        assertRenders("a\n312",
                "a\n\t {% for i in l %}{{ i }}{% endfor %}");
        assertRenders("nbsp",
                "\u00a0{% if true %}nbsp{% endif %}");
        assertRenders("1",
                "{% set x = 1 -%}  \n\n  {{ x }}");
        assertRenders("55",
                "{{ x -}} \n {{- x }}");
        assertRenders("multi\nline",
                "{{ 'multi\nline' }}");
        assertRenders("abc",
                "{{ \"a\" 'b' \"c\" }}");
        assertRenders("1026 1000.0 0.0015 123456789012345678900",
                "{{ 1_000 + 0x10 + 0o7 + 0b11 }} {{ 1e3 }} {{ 1.5e-3 }} {{ 12345678901234567890 * 10 }}");
        assertRenders("4 64 True 1 2",
                "{{ -2 ** 2 }} {{ 2 ** 3 ** 2 }} {{ not 1 == 2 }} {{ -1|abs }} {{ 1 - -1 }}");
        assertRenders("5 no",
                "{{ x if x is defined else 'no' }} {{ zz if zz is defined else 'no' }}");
        assertRenders("1 2 1 b",
                "{{ (1, 2)[0] }} {{ [1, 2, 3][1:][0] }} {{ {'a': 1}['a'] }} {{ 'abc'[1] }}");
        assertRenders("undef",
                "{% if messages is defined %}def{% else %}undef{% endif %}");
        assertRenders("FalseTrueTrue",
                "{{ x is not defined }}{{ zz is not defined }}{{ x is not string }}");
        assertRenders("TrueTrueTrue",
                "{% for i in l %}{{ loop.changed(i > 1) }}{% endfor %}");
        assertRenders("112131",
                "{% for i in l %}{% set outer = loop %}{% for j in [1] %}{{ outer.index }}{{ loop.index }}{% endfor %}{% endfor %}");
        assertRenders("1|",
                "{% set ns = namespace() %}{% set ns.a = 1 %}{{ ns.a }}{{ ns.b }}|");
        assertFails("cannot assign attribute on non-namespace object",
                "{% set x = 1 %}{% set x.attr = 2 %}");
        assertFails("'ns' is undefined",
                "{{ ns.attr }}");
        assertRenders("TrueTrueTrue",
                "{{ d.b[2] is none }}{{ d.b[1] is float }}{{ d.b[0] is integer }}");
        assertRenders("U1|A1",
                "{{ msgs|selectattr('role', 'in', ['user', 'assistant'])|map(attribute='content')|join('|') }}");
        assertRenders("['D', 'D', 'D'][Undefined, Undefined, Undefined]",
                "{{ msgs|map(attribute='missing', default='D')|list }}{{ msgs|map(attribute='missing')|list }}");
        assertRenders("[1, 2][2, 4]",
                "{{ [{'a': {'b': 1}}, {'a': {'b': 2}}]|map(attribute='a.b')|list }}{{ [[1, 2], [3, 4]]|map(attribute='1')|list }}");
        assertRenders("1['A', 'b', 'c']['A', 'b', 'c'][{'n': 1}, {'n': 2}]",
                "{{ [3, 1, 2]|sort|first }}{{ ['b', 'A', 'c']|sort }}{{ ['b', 'A', 'c']|sort(case_sensitive=true) }}{{ [{'n': 2}, {'n': 1}]|sort(attribute='n') }}");
        assertRenders("2 ['a', 'b'] ['a', 'items', 'b'] 3",
                "{{ '%s'|length }} {{ 'ab'|list }} {{ d|list }} {{ d|length }}");
        assertRenders("user,assistant assistant",
                "{{ msgs[1:]|map(attribute='role')|join(',') }} {{ msgs[-1].role }}");
        assertRenders("[('a', 1), ('b', 2)] dict_values([1, 2, [1, 2.5, None]])",
                "{{ {'a': 1, 'b': 2}.items()|list }} {{ d.values() }}");
        assertRenders("xxxxxx|[1, 2, 3](1, 2)",
                "{{ 'x' * 3 }}{{ 3 * 'x' }}{{ 'x' * 0 }}{{ 'x' * -1 }}|{{ [1, 2] + [3] }}{{ (1,) + (2,) }}");
        assertRenders("1 3",
                "{{ 1 if true else 2 if false else 3 }} {{ (1 if false else 2) + 1 }}");
        assertRenders("\u00c9\u00e9coleSTRASSE\u01c4x\u01c5x",
                "{{ '\u00e9'|upper }}{{ '\u00c9COLE'|lower }}{{ 'stra\u00dfe'|upper }}{{ '\u01c6x'|title }}{{ '\u01c6x'.title() }}");
        assertRenders("x|x|['a', 'b']|['a', 'b']",
                "{{ '  x  '.strip() }}|{{ '\u3000x\u00a0'.strip() }}|{{ 'a\u2028b'.splitlines() }}|{{ 'a\r\nb\n'.splitlines() }}");
        assertRenders("['a', 'b', 'c']['a', 'b', 'c']['a', '', 'b']['|', '']",
                "{{ 'a|b|c'.split('|', -1) }}{{ 'a|b|c'.rsplit('|') }}{{ 'a||b'.split('|') }}{{ '||'.rsplit('|', 1) }}");
        assertRenders("TrueTrue32",
                "{{ 'Hello'.startswith('ell', 1) }}{{ 'Hello'.endswith('ell', 0, 4) }}{{ 'Hello'.find('l', 3) }}{{ 'Hello'.index('l') }}");
        assertRenders("a1None1.5True[1]",
                "{{ 'a' ~ 1 ~ none ~ 1.5 ~ true ~ [1] }}");
        assertRenders("3123-1-2",
                "{{ l|map('string')|join }}{{ l|join('-', attribute=none) }}");
        assertRenders("1,None,a",
                "{{ [1, none, 'a']|join(',') }}");
        assertFails("replace() missing required argument 'new'",
                "{{ 'abc'.replace('b') }}");
        assertRenders("|",
                "{{ 'ab'.nope }}|");
        assertFails("'loop' is undefined",
                "{{ loop.index }}");
        assertRenders("312|",
                "{% for i in l %}{{ i }}{% endfor %}{{ i }}|");
        assertRenders("big",
                "{% if x > 3 %}big{% elif x > 1 %}mid{% else %}small{% endif %}");
        assertRenders("f",
                "{% if 0 %}a{% elif '' %}b{% elif [] %}c{% elif {} %}d{% elif none %}e{% else %}f{% endif %}");
        assertFails("integer division or modulo by zero",
                "{{ 5 // 0 }}");
        assertFails("float floor division by zero",
                "{{ 1.5 // 0 }}");
        assertRenders("TrueFalseTrueTrueTrueFalse",
                "{{ [1,2,3] == [1,2,3] }}{{ (1,2) == [1,2] }}{{ {'a': 1} == {'a': 1.0} }}{{ 'a' == 'a' }}{{ zz == zz }}{{ zz == none }}");
        assertRenders("TrueTrueFalseTrueFalse",
                "{{ true == 1 }}{{ false == 0 }}{{ 1.0 is integer }}{{ true is number }}{{ true is integer }}");
        assertRenders("12-21.51.5-4.0",
                "{{ 10 % 3 }}{{ -10 % 3 }}{{ 10 % -3 }}{{ 10.5 % 3 }}{{ -10.5 % 3 }}{{ 7 // -2.0 }}");
        assertRenders("12676506002282294014967032053760.254.03.33333333333333351.0",
                "{{ 2 ** 100 }}{{ 2 ** -2 }}{{ 2.0 ** 2 }}{{ 10 / 3 }}{{ 1 / 3 * 3 }}");
        assertRenders("TrueTrueTrueTrueTrue",
                "{{ 'abc' < 'abd' }}{{ 'Z' < 'a' }}{{ 1 < 1.5 }}{{ [1] < [1, 0] }}{{ (2,) > (1, 9) }}");
        assertRenders("cbaca[5, 3][][]",
                "{{ 'abc'[::-1] }}{{ 'abc'[-1::-2] }}{{ [0,1,2,3,4,5][5:1:-2] }}{{ [0,1,2][10:] }}{{ [0,1,2][-10:-5] }}");
        assertRenders("|||",
                "{{ l[1.0] }}|{{ l['0'] }}|{{ d[0] }}|");
        assertRenders("TrueTrueTrueTrueTrueFalseTrueTrue",
                "{{ 'a' in ['a', 'b'] }}{{ 1 in [1.0] }}{{ 'ab' in 'cabd' }}{{ '' in 'x' }}{{ 'a' in {'a': 1} }}{{ 2 in {'a': 1}.values() }}{{ 'a' in {'a': 1}.keys() }}{{ ('a', 1) in {'a': 1}.items() }}");
        assertFails("'in <string>' requires string as left operand, not int",
                "{{ 1 in 'abc' }}");
        assertRenders("3x",
                "{{ l|first|string + 'x' }}");
        assertRenders("[{\"role\": \"system\", \"content\": \"S\"}, {\"role\": \"user\", \"content\": \"U1\"}, {\"role\": \"assistant\", \"content\": \"A1\"}]",
                "{{ msgs|tojson }}");
        assertRenders("{\n\t\"a\": 1,\n\t\"items\": 2,\n\t\"b\": [\n\t\t1,\n\t\t2.5,\n\t\tnull\n\t]\n}",
                "{{ d|tojson(indent='\t') }}");
        assertRenders("[\n1,\n[\n2,\n{\n\"a\": []\n}\n]\n]",
                "{{ [1, [2, {'a': []}]]|tojson(indent=0) }}");
        assertRenders("{\n \"a\": {\n  \"c\": 2,\n  \"d\": 1\n },\n \"b\": 1\n}",
                "{{ {'b': 1, 'a': {'d': 1, 'c': 2}}|tojson(sort_keys=true, indent=1) }}");
        assertRenders("{\"1\": \"c\", \"null\": \"b\", \"1.5\": \"d\"}",
                "{{ {1: 'a', none: 'b', true: 'c', 1.5: 'd'}|tojson }}");
        assertRenders("[1, 2]",
                "{{ [1, 2]|tojson(ensure_ascii=false, indent=none) }}");
        assertRenders("[('a', 1)][]",
                "{{ {'a': 1}|items|list }}{{ zz|items|list }}");
        assertRenders("a||ackj",
                "{{ ['a', 'b']|first }}{{ []|first }}|{{ []|last }}|{{ 'abc'|first }}{{ 'abc'|last }}{{ {'k': 1}|first }}{{ {'k': 1, 'j': 2}|last }}");
        assertFails("'generator' object is not reversible",
                "{{ [1,2]|map('abs')|last }}");
        assertRenders("|3bA{'v': 5}",
                "{{ []|max }}|{{ [1, 3, 2]|max }}{{ ['b', 'A']|max }}{{ ['b', 'A']|min }}{{ [{'v': 2}, {'v': 5}]|max(attribute='v') }}");
        assertRenders("63.5711",
                "{{ [1, 2, 3]|sum }}{{ [1.5, 2]|sum }}{{ [{'v': 2}, {'v': 5}]|sum(attribute='v') }}{{ [1]|sum(start=10) }}");
        assertRenders("   hello   |***hi**|hi  |00hi|-005",
                "{{ 'hello'|center(11) }}|{{ 'hi'.center(7, '*') }}|{{ 'hi'.ljust(4) }}|{{ 'hi'.rjust(4, '0') }}|{{ '-5'.zfill(4) }}");
        assertRenders("xayazab",
                "{{ 'a'.join('xyz') }}{{ ''.join(['a', 'b']) }}");
        assertRenders("hELLO wORLDTrueTrueTrueTrueTrueTrueFalse",
                "{{ 'Hello World'.swapcase() }}{{ 'ab'.isalpha() }}{{ '12'.isdigit() }}{{ 'a1'.isalnum() }}{{ ' '.isspace() }}{{ 'ab'.islower() }}{{ 'AB'.isupper() }}{{ '1'.islower() }}");
        assertRenders("('a', '=', 'b=c')('a=b', '=', 'c')('abc', '', '')",
                "{{ 'a=b=c'.partition('=') }}{{ 'a=b=c'.rpartition('=') }}{{ 'abc'.partition('x') }}");
        assertRenders("xx",
                "{{ 'prefix_x'.removeprefix('prefix_') }}{{ 'x.txt'.removesuffix('.txt') }}");
        assertRenders("4['a,b']['a', 'b']",
                "{{ 'abc'.count('') }}{{ 'a,b'.split(',', maxsplit=0) }}{{ 'a b'.split(maxsplit=1) }}");
    }
}
