package io.qwen4j.core.constrain;

import io.qwen4j.core.constrain.Automaton.State;

import java.nio.charset.StandardCharsets;

/**
 * An immutable compiled grammar: a context-free language over UTF-8 bytes, given in llama.cpp's GBNF or converted
 * from a JSON Schema. {@link #newConstraint} makes a {@link TokenConstraint} that keeps a generation inside it.
 * Thread-safe.
 */
public final class Grammar {

    private final String gbnf;
    private final CompiledGrammar compiled;
    private Automaton matcher;

    private Grammar(String gbnf) {
        this.gbnf = gbnf;
        this.compiled = GrammarCompiler.compile(GbnfParser.parse(gbnf));
        new Automaton(compiled); // fails now, not at the first mask, if the grammar matches nothing
    }

    /**
     * Reads a grammar in llama.cpp's GBNF; the rule {@code root} is the start.
     *
     * @throws GrammarException for a syntax error (with line and column), an undefined rule, a missing
     *                          {@code root}, or left recursion
     */
    public static Grammar fromGbnf(String gbnf) {
        return new Grammar(gbnf);
    }

    /**
     * The JSON texts valid against a JSON Schema (see {@link #jsonSchemaToGbnf} for what is supported).
     *
     * @throws SchemaException naming the JSON pointer of an invalid or unsupported part of the schema
     */
    public static Grammar fromJsonSchema(String schemaJson) {
        return new Grammar(jsonSchemaToGbnf(schemaJson));
    }

    /**
     * The GBNF that {@link #fromJsonSchema} compiles. Supported: {@code type} (one or several of object, array,
     * string, number, integer, boolean, null), {@code properties} (written in their order), {@code required},
     * {@code additionalProperties} (false, true or a schema; absent means none unless the object declares no
     * properties and no required names), {@code enum}, {@code const}, {@code items} (one schema),
     * {@code minItems}/{@code maxItems}, {@code anyOf}/{@code oneOf} (oneOf is not made exclusive), local
     * {@code $ref} ({@code #}, {@code #/$defs/...}, {@code #/definitions/...}, any JSON pointer; recursion is fine),
     * {@code minimum}/{@code maximum}/{@code exclusiveMinimum}/{@code exclusiveMaximum} for integers (exact),
     * {@code minLength}/{@code maxLength}, {@code pattern} (a regex subset, see below) and {@code format} date,
     * time, date-time and uuid. Numbers have at most 16 integer and 16 fraction digits and a 3-digit exponent.
     *
     * @throws SchemaException for anything else that constrains values (allOf, not, if/then/else, multipleOf,
     *                         number bounds, uniqueItems, patternProperties, prefixItems, tuple items,
     *                         min/maxProperties, remote refs, lookaround or backreferences in patterns, ...)
     */
    public static String jsonSchemaToGbnf(String schemaJson) {
        return JsonSchemaConverter.convert(schemaJson);
    }

    /** Any JSON value, followed by optional whitespace. */
    public static Grammar anyJson() {
        return fromJsonSchema("true");
    }

    /** Any JSON object, followed by optional whitespace. */
    public static Grammar anyJsonObject() {
        return fromJsonSchema("{\"type\": \"object\"}");
    }

    /** A fresh constraint that keeps one generation inside this grammar, with the tokens of {@code vocabulary}. */
    public TokenConstraint newConstraint(TokenVocabulary vocabulary) {
        return new GrammarConstraint(vocabulary.engine(this), vocabulary);
    }

    /** Whether {@code text} is a complete sentence of this grammar. */
    public synchronized boolean matches(String text) {
        return matchesBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code text} (UTF-8) is a complete sentence of this grammar. */
    public synchronized boolean matchesBytes(byte[] utf8) {
        if (matcher == null) {
            matcher = new Automaton(compiled);
        }
        State s = matcher.start();
        for (byte b : utf8) {
            s = matcher.next(s, b & 0xFF);
            if (s == null) {
                return false;
            }
        }
        return s.complete;
    }

    /** The grammar's GBNF source. */
    public String gbnf() {
        return gbnf;
    }

    CompiledGrammar compiled() {
        return compiled;
    }

    @Override
    public String toString() {
        return gbnf;
    }
}
