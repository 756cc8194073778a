package io.qwen4j.server.engine;

/** Every slot is busy and the waiting queue is full: the client should retry later. */
public final class QueueFullException extends RuntimeException {

    public QueueFullException(int queued) {
        super("the server is busy: all slots are generating and " + queued + " requests are already waiting");
    }
}
