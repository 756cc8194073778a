package io.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwen4j.core.chat.ChatFormat;
import io.qwen4j.core.model.Model;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qwen4j template}: render a conversation with a chat template, exactly. */
@Command(name = "template", mixinStandardHelpOptions = true,
        description = "Render a conversation {\"messages\": [...], \"tools\": [...], \"kwargs\": {...}} with the model's chat template (or --template FILE) and print the text exactly, with no newline added.")
final class TemplateCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = {"-m", "--model"}, description = "GGUF file or Hugging Face folder whose template to use")
        Path model;

        @Option(names = "--template", paramLabel = "FILE", description = "a Jinja template file")
        Path template;
    }

    @Spec
    CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    Source source;

    @Option(names = "--input", required = true, paramLabel = "CASE.json", description = "the conversation as JSON")
    Path input;

    @Override
    public Integer call() throws IOException {
        JsonNode root = readInput();
        Object messages = Json.MAPPER.convertValue(root.get("messages"), Object.class);
        Object tools = root.hasNonNull("tools") ? Json.MAPPER.convertValue(root.get("tools"), Object.class) : null;
        if (tools != null && !(tools instanceof List<?>)) {
            throw new UserInputException(input + ": \"tools\" must be a list or null");
        }
        Map<String, Object> kwargs = new LinkedHashMap<>();
        JsonNode k = root.get("kwargs");
        if (k != null && !k.isNull()) {
            if (!k.isObject()) {
                throw new UserInputException(input + ": \"kwargs\" must be an object");
            }
            kwargs.putAll(Json.MAPPER.convertValue(k, Map.class));
        }
        boolean addGenerationPrompt = Boolean.TRUE.equals(kwargs.remove("add_generation_prompt"));
        if (!(messages instanceof List<?> list)) {
            throw new UserInputException(input + ": \"messages\" must be a list");
        }
        String rendered = format().renderValues(list, (List<?>) tools, addGenerationPrompt, kwargs);
        PrintWriter out = spec.commandLine().getOut();
        out.print(rendered);
        out.flush();
        return 0;
    }

    private JsonNode readInput() throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(input));
        } catch (NoSuchFileException e) {
            throw new UserInputException(input + ": file not found");
        } catch (IOException e) {
            throw new UserInputException(input + ": not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new UserInputException(input + ": expected a JSON object with \"messages\"");
        }
        return root;
    }

    private ChatFormat format() throws IOException {
        if (source.template != null) {
            if (!Files.isRegularFile(source.template)) {
                throw new UserInputException(source.template + ": file not found");
            }
            return new ChatFormat(Files.readString(source.template), Map.of());
        }
        try (Model m = Model.load(source.model)) {
            return m.chatFormat().orElseThrow(() -> new UserInputException(m.path() + ": the model has no chat template"));
        }
    }
}
