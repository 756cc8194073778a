package io.qwen4j.server;

import io.qwen4j.core.model.Model;

import java.nio.file.Path;

/** The tiny test models, loaded once per JVM (they are immutable and shared by every server in the tests). */
final class TestModels {

    static final Path TESTDATA = Path.of(System.getProperty("qwen4j.testdata", "../testdata"));

    private static Model qwen3;

    private TestModels() {
    }

    static synchronized Model qwen3() {
        if (qwen3 == null) {
            qwen3 = Model.load(TESTDATA.resolve("models/qwen3-tiny/model.gguf"));
        }
        return qwen3;
    }

    static ServerOptions options() {
        return ServerOptions.defaults("qwen3-tiny", 512).withPort(0);
    }
}
