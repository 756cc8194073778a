package io.qwen4j.core.chat.template;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Jinja chat template rendered exactly as Hugging Face transformers renders it: Jinja2's sandboxed
 * environment with trim_blocks, lstrip_blocks, loop controls, the {@code generation} block, and the
 * globals {@code raise_exception} and {@code strftime_now}, with {@code tojson} as Python's json.dumps.
 *
 * <p>Values are what Jackson produces from JSON (Map, List, String, Integer/Long/BigInteger, Double,
 * Boolean, null). A compiled template is immutable and may be rendered from several threads.
 */
public final class ChatTemplate {
    private final List<Node> nodes;
    private final Clock clock;

    private ChatTemplate(List<Node> nodes, Clock clock) {
        this.nodes = nodes;
        this.clock = clock;
    }

    /**
     * Parses a template.
     *
     * @throws TemplateSyntaxException for bad syntax, an unknown filter or test, or an unsupported construct
     */
    public static ChatTemplate compile(String source) {
        Objects.requireNonNull(source, "source");
        try {
            return new ChatTemplate(Parser.parse(source), Clock.systemDefaultZone());
        } catch (StackOverflowError e) {
            throw new TemplateSyntaxException("template nested too deeply", 1, 1);
        }
    }

    /** The same template, with {@code strftime_now} reading this clock (for reproducible output). */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(nodes, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Renders the template. Missing variables are Jinja's lenient Undefined.
     *
     * @throws TemplateRenderException when the template calls raise_exception, or an operation fails
     */
    public String render(Map<String, Object> variables) {
        Scope scope = Globals.scope(clock).child();
        variables.forEach(scope::set);
        try {
            return new Interpreter().render(nodes, scope);
        } catch (StackOverflowError e) {
            throw new TemplateRenderException("template recursion too deep", 1, false, null);
        }
    }
}
