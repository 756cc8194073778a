package io.qwen4j.core.chat.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hugging Face's extra block and the whitespace rules a chat template leans on. */
class ChatTemplateBlocksTest {

    private static String render(String template, Map<String, Object> vars) {
        return ChatTemplate.compile(template).render(vars);
    }

    @Test
    void generationBlockRendersItsBodyUnchanged() {
        String template = "{% for m in messages %}{% if m.role == 'assistant' %}"
                + "{% generation %}{{ m.content }}<|im_end|>{% endgeneration %}"
                + "{% else %}{{ m.content }}{% endif %}{{ '\\n' }}{% endfor %}";
        List<Object> messages = List.of(Map.of("role", "user", "content", "Q"), Map.of("role", "assistant", "content", "A"));
        assertEquals("Q\nA<|im_end|>\n", render(template, Map.of("messages", messages)));
    }

    @Test
    void indentedBlockTagsLeaveNoTraceButPrintTagsKeepTheirIndent() {
        // lstrip_blocks removes the indent before {% %} only; trim_blocks removes the newline after it.
        String template = "<a>\n    {% if flag %}\n    {{ value }}\n    {% endif %}\n</a>\n";
        assertEquals("<a>\n    x\n</a>", render(template, Map.of("flag", true, "value", "x")));
    }

    @Test
    void onlyOneTrailingNewlineOfTheSourceIsDropped() {
        assertEquals("a\n", render("a\n\n", Map.of()));
        assertEquals("a", render("a\r\n", Map.of()));
        assertEquals("a\nb", render("a\r\nb", Map.of()));
    }
}
