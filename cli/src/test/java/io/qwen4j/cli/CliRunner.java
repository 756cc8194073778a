package io.qwen4j.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the CLI in-process and captures what it prints. */
record CliRunner(int exitCode, String out, String err) {

    static final Path TESTDATA = Path.of(System.getProperty("qwen4j.testdata", "../testdata"));

    static CliRunner run(String... args) {
        return runWithInput("", args);
    }

    /** Runs with {@code stdin} as standard input. */
    static CliRunner runWithInput(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRunner(code, out.toString(), err.toString());
    }

    static String model(String relative) {
        return TESTDATA.resolve("models").resolve(relative).toString();
    }
}
