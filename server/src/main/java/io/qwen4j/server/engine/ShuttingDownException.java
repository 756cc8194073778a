package io.qwen4j.server.engine;

/** The server is draining for shutdown and takes no new work. */
public final class ShuttingDownException extends RuntimeException {

    public ShuttingDownException() {
        super("the server is shutting down and accepts no new requests");
    }
}
