package io.qwen4j.core.generate;

/** How long the prompt and the generation took. */
public record Timings(int promptTokens, long promptNanos, int generatedTokens, long generationNanos) {

    public double promptTokensPerSecond() {
        return perSecond(promptTokens, promptNanos);
    }

    public double generationTokensPerSecond() {
        return perSecond(generatedTokens, generationNanos);
    }

    private static double perSecond(int tokens, long nanos) {
        return nanos <= 0 ? 0 : tokens * 1e9 / nanos;
    }
}
