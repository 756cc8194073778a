package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwen4j.core.model.TokenizerLoader;
import io.qwen4j.core.tokenizer.Tokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qwen4j tokenize}: text to token ids, or back with --decode. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of a text (special tokens in it are parsed), or decode ids with --decode.")
final class TokenizeCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = {"-m", "--model"}, description = "GGUF file or Hugging Face folder")
        Path model;

        @Option(names = "--tokenizer", description = "a tokenizer.json, or a folder holding one")
        Path tokenizer;
    }

    @Spec
    CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    Source source;

    @Parameters(arity = "0..1", paramLabel = "TEXT", description = "the text (or, with --decode, ids separated by commas or spaces)")
    String text;

    @Option(names = "--json", description = "print {\"ids\": [...]} (with --decode: {\"text\": ...})")
    boolean json;

    @Option(names = "--jsonl", paramLabel = "FILE",
            description = "read {\"text\": ...} lines from FILE and print one {\"ids\": [...]} line for each, in order")
    Path jsonl;

    @Option(names = "--decode", description = "turn ids back into text")
    boolean decode;

    @Override
    public Integer call() throws IOException {
        Tokenizer tok = TokenizerLoader.load(source.model != null ? source.model : source.tokenizer);
        PrintWriter out = spec.commandLine().getOut();
        if (jsonl != null) {
            encodeJsonLines(tok, out);
        } else if (text == null) {
            throw new UserInputException("give a TEXT to tokenize, or --jsonl FILE");
        } else if (decode) {
            String decoded = tok.decode(parseIds(text, tok));
            out.print(json ? Json.write(Map.of("text", decoded)) + "\n" : decoded + "\n");
        } else {
            int[] ids = tok.encode(text);
            out.println(json ? Json.write(Map.of("ids", ids)) : String.join(" ", Arrays.stream(ids).mapToObj(Integer::toString).toList()));
        }
        out.flush();
        return 0;
    }

    private void encodeJsonLines(Tokenizer tok, PrintWriter out) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    throw new UserInputException(jsonl + ":" + lineNo + ": not valid JSON");
                }
                if (node == null || !node.path("text").isTextual()) {
                    throw new UserInputException(jsonl + ":" + lineNo + ": expected an object with a string field \"text\"");
                }
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("ids", tok.encode(node.get("text").textValue()));
                out.println(Json.write(o));
            }
        }
    }

    private static int[] parseIds(String s, Tokenizer tok) {
        String[] parts = s.trim().replace("[", "").replace("]", "").split("[,\\s]+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new UserInputException("not a token id: '" + parts[i] + "'");
            }
            if (ids[i] < 0) {
                throw new UserInputException("token id " + ids[i] + " is negative");
            }
        }
        return ids;
    }
}
