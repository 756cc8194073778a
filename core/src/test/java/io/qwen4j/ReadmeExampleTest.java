package io.qwen4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compiles and runs the library example of README.md exactly as it is written there. */
class ReadmeExampleTest {

    private static final Path TESTDATA = Path.of(System.getProperty("qwen4j.testdata", "../testdata")).toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void theReadmeLibraryExampleCompilesAndRuns() throws Exception {
        String readme = Files.readString(TESTDATA.getParent().resolve("README.md"));
        int section = readme.indexOf("## As a library");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        String code = readme.substring(start, readme.indexOf("```", start));
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : code.split("\n")) {
            if (line.startsWith("import ")) {
                imports.add(line);
            } else {
                body.append(line).append('\n');
            }
        }
        assertTrue(body.toString().lines().filter(l -> !l.isBlank()).count() <= 6, "the example stays about five lines");
        // the example names the model relative to the repository root; the test runs in a module folder
        String source = String.join("\n", imports) + "\npublic class Example {\n public static void main(String[] a) throws Exception {\n"
                + body.toString().replace("\"testdata/", "\"" + TESTDATA.toString().replace('\\', '/') + "/") + "}\n}\n";
        Path src = tmp.resolve("Example.java");
        Files.writeString(src, source);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, null, diagnostics, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), "-d", tmp.toString(), src.toString());
        assertEquals(0, rc, diagnostics.toString(StandardCharsets.UTF_8));

        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass("Example").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(stdout);
        }
        assertTrue(printed.size() > 0, "the example streams the answers to stdout");
    }
}
