package io.qwen4j.cli;

import sun.misc.Signal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C in the chat: while an answer is being generated it stops that answer; otherwise it ends the program as
 * usual. (sun.misc.Signal is the JDK's supported way for an application to handle SIGINT itself.)
 */
final class Interrupts {

    private final AtomicBoolean answering = new AtomicBoolean();
    private final AtomicBoolean stop = new AtomicBoolean();

    private Interrupts() {
    }

    static Interrupts install() {
        Interrupts i = new Interrupts();
        try {
            Signal.handle(new Signal("INT"), sig -> {
                if (i.answering.get()) {
                    i.stop.set(true);
                } else {
                    System.exit(130);
                }
            });
        } catch (IllegalArgumentException e) {
            // no SIGINT on this platform or it is reserved by the VM: Ctrl-C keeps its default behaviour
        }
        return i;
    }

    void answerStarted() {
        stop.set(false);
        answering.set(true);
    }

    void answerEnded() {
        answering.set(false);
    }

    boolean stopRequested() {
        return stop.get();
    }
}
