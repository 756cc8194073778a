package io.qwen4j.core.chat;

import io.qwen4j.Qwen;
import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.sampling.SamplerConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatSessionTest {

    private static final Path MODEL = Path.of(System.getProperty("qwen4j.testdata", "../testdata"))
            .resolve("models/qwen3-tiny/model.gguf");

    private static ChatOptions greedy(int maxTokens) {
        return ChatOptions.builder().sampler(SamplerConfig.greedy()).maxTokens(maxTokens).build();
    }

    @Test
    void cancellingStopsTheAnswerAndKeepsWhatWasSaid() {
        try (Qwen qwen = Qwen.load(MODEL)) {
            ChatSession chat = qwen.chat(greedy(20));
            AtomicInteger polls = new AtomicInteger();
            ChatReply reply = chat.send("Hello", null, () -> polls.incrementAndGet() > 3);
            assertEquals(FinishReason.CANCELLED, reply.finishReason());
            assertEquals(3, reply.timings().generatedTokens());
            assertEquals(2, chat.messages().size(), "the user message and the partial answer");
            assertEquals(reply.text(), chat.messages().getLast().content());
        }
    }

    @Test
    void clearForgetsTheConversationAndTheCache() {
        try (Qwen qwen = Qwen.load(MODEL)) {
            ChatSession chat = qwen.chat(greedy(5));
            ChatReply first = chat.send("Hello", null);
            ChatReply second = chat.send("Again", null);
            assertTrue(second.cachedTokens() > 0);
            chat.clear();
            assertEquals(0, chat.messages().size());
            ChatReply afterClear = chat.send("Hello", null);
            assertEquals(0, afterClear.cachedTokens());
            assertEquals(first.text(), afterClear.text(), "greedy: the same first turn gives the same answer");
        }
    }

    @Test
    void aConversationLongerThanTheContextIsRejectedAndNotKept() {
        try (Qwen qwen = Qwen.load(MODEL)) {
            ChatSession chat = qwen.chat(ChatOptions.builder().sampler(SamplerConfig.greedy()).contextLength(16).build());
            var e = assertThrows(IllegalArgumentException.class, () -> chat.send("a long question ".repeat(10), null));
            assertTrue(e.getMessage().startsWith("context overflow: "), e.getMessage());
            assertEquals(0, chat.messages().size(), "the rejected message is not kept");
        }
    }
}
