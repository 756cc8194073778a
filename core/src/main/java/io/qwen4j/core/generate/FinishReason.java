package io.qwen4j.core.generate;

/** Why a generation ended, with the name OpenAI's API uses. */
public enum FinishReason {
    /** An end-of-generation token or a stop string. */
    STOP("stop"),
    /** The token limit or the end of the context. */
    LENGTH("length"),
    /** Stopped from outside (Ctrl-C, a client that went away). */
    CANCELLED("cancelled");

    public final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }
}
