package io.qwen4j.cli;

import io.qwen4j.core.constrain.Grammar;
import io.qwen4j.core.constrain.GrammarException;
import io.qwen4j.core.constrain.SchemaException;
import io.qwen4j.core.constrain.TokenConstraint;
import io.qwen4j.core.constrain.TokenVocabulary;
import io.qwen4j.core.model.Model;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Supplier;

/** Structured output flags, shared by generate and chat: the answer (after any think block) must fit a grammar. */
final class ConstraintOptions {

    @Option(names = "--json-schema", paramLabel = "FILE",
            description = "the answer is JSON valid against this JSON Schema (constrained decoding; with thinking, it starts after </think>)")
    Path jsonSchema;

    @Option(names = "--grammar", paramLabel = "FILE",
            description = "the answer follows this grammar, in llama.cpp's GBNF (root rule: root)")
    Path grammar;

    /** A constraint per generation, or null when neither flag is given. */
    Supplier<TokenConstraint> constraint(Model model) {
        if (jsonSchema != null && grammar != null) {
            throw new UserInputException("--json-schema and --grammar cannot be used together");
        }
        if (jsonSchema == null && grammar == null) {
            return null;
        }
        Path file = jsonSchema != null ? jsonSchema : grammar;
        Grammar g;
        try {
            String text = Files.readString(file);
            g = jsonSchema != null ? Grammar.fromJsonSchema(text) : Grammar.fromGbnf(text);
        } catch (NoSuchFileException e) {
            throw new UserInputException(file + ": file not found");
        } catch (IOException e) {
            throw new UserInputException(file + ": cannot read: " + e.getMessage());
        } catch (GrammarException | SchemaException e) {
            throw new UserInputException(file + ": " + e.getMessage());
        }
        TokenVocabulary vocabulary = TokenVocabulary.of(model.tokenizer(), model.config().vocabSize(),
                model.endOfGenerationIds());
        return () -> g.newConstraint(vocabulary);
    }
}
