package io.qwen4j.server.api;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Response ids ({@code chatcmpl-...}) and the fingerprint of this server build. */
final class Ids {

    static final String FINGERPRINT = "qwen4j-0.1.0";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    static String next(String prefix) {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return prefix + HexFormat.of().formatHex(b);
    }
}
