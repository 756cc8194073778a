package io.qwen4j.core.chat.template;

import io.qwen4j.core.chat.template.Token.Kind;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A cursor over the token list with the expectation helpers the parsers share. */
final class TokenStream {
    private final List<Token> tokens;
    private int position;

    TokenStream(List<Token> tokens) {
        this.tokens = tokens;
    }

    Token current() {
        return tokens.get(position);
    }

    Token peek(int ahead) {
        return tokens.get(Math.min(position + ahead, tokens.size() - 1));
    }

    Token next() {
        Token t = tokens.get(position);
        if (position < tokens.size() - 1) {
            position++;
        }
        return t;
    }

    int position() {
        return position;
    }

    /** Names written between token {@code from} and the current token. */
    Set<String> namesSince(int from) {
        Set<String> names = new HashSet<>();
        for (int i = from; i < position; i++) {
            if (tokens.get(i).kind() == Kind.NAME) {
                names.add(tokens.get(i).text());
            }
        }
        return names;
    }

    Token expect(Kind kind) {
        Token t = current();
        if (t.kind() != kind) {
            throw error("expected " + describe(kind) + ", got " + t.describe(), t);
        }
        return next();
    }

    Token expectOperator(String op) {
        Token t = current();
        if (!t.isOperator(op)) {
            throw error("expected '" + op + "', got " + t.describe(), t);
        }
        return next();
    }

    Token expectName(String name) {
        Token t = current();
        if (!t.isName(name)) {
            throw error("expected '" + name + "', got " + t.describe(), t);
        }
        return next();
    }

    TemplateSyntaxException error(String message, Token at) {
        return new TemplateSyntaxException(message, at.line(), at.column());
    }

    private static String describe(Kind kind) {
        return switch (kind) {
            case BLOCK_END -> "end of statement block '%}'";
            case VARIABLE_END -> "end of print statement '}}'";
            case NAME -> "a name";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
