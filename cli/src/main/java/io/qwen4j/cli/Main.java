package io.qwen4j.cli;

import io.qwen4j.core.ModelFormatException;
import io.qwen4j.core.chat.template.TemplateException;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;

/** The {@code qwen4j} command line. */
@Command(name = "qwen4j", mixinStandardHelpOptions = true, version = "qwen4j 0.1.0",
        description = "Run Qwen models in pure Java.",
        subcommands = {GenerateCommand.class, ChatCommand.class, ServeCommand.class, BenchCommand.class,
                ServeBenchCommand.class, TemplateCommand.class, TokenizeCommand.class, InspectCommand.class,
                LogitsCommand.class, ConvertCommand.class, QuantizeCommand.class, SynthCommand.class,
                PerplexityCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = run(System.in, out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Standard input of this run (the chat command reads it). */
    InputStream in = System.in;

    /** Runs the command line with the given streams and returns the exit code. */
    public static int run(InputStream in, PrintWriter out, PrintWriter err, String... args) {
        Main main = new Main();
        main.in = in;
        CommandLine cli = new CommandLine(main);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + userMessage(e));
            if (Boolean.getBoolean("qwen4j.debug")) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    /** One line for the user: our own errors carry their message; anything else is named by its type. */
    static String userMessage(Throwable e) {
        if (e instanceof ModelFormatException || e instanceof IllegalArgumentException
                || e instanceof UserInputException || e instanceof TemplateException) {
            return e.getMessage();
        }
        if (e instanceof java.io.UncheckedIOException u && u.getCause() != null) {
            return u.getCause().getMessage();
        }
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": file not found";
        }
        if (e instanceof java.io.IOException io) {
            return io.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage()
                + " (run with -Dqwen4j.debug=true for the stack trace)";
    }
}
