package io.qwen4j.core.chat;

import io.qwen4j.Qwen;
import io.qwen4j.core.constrain.Grammar;
import io.qwen4j.core.generate.FinishReason;
import io.qwen4j.core.generate.sampling.SamplerConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A chat whose answers must fit a grammar, with the think block left free. */
class ChatStructuredOutputTest {

    private static final Path MODEL = Path.of(System.getProperty("qwen4j.testdata")).resolve("models/qwen3-tiny/model.gguf");

    @Test
    void theThinkBlockIsFreeAndTheAnswerFollowsTheSchema() {
        String schema = "{\"type\": \"object\", \"properties\": {\"city\": {\"enum\": [\"Paris\", \"Rome\"]}}, "
                + "\"required\": [\"city\"], \"additionalProperties\": false}";
        try (Qwen qwen = Qwen.load(MODEL)) {
            ChatSession chat = qwen.chat(ChatOptions.builder().sampler(SamplerConfig.greedy()).maxTokens(80)
                    .thinkingBudget(5).jsonSchema(schema).build());
            ChatReply reply = chat.send("Pick a city.", null);
            Grammar grammar = Grammar.fromJsonSchema(schema);
            if (reply.reasoning() != null) {
                // the model opened the block: 5 free tokens, the stop text, then the constrained answer
                assertTrue(reply.text().contains("directly now.\n</think>\n\n"), reply.text());
            }
            assertEquals(FinishReason.STOP, reply.finishReason(), reply.text());
            assertTrue(grammar.matches(reply.content()), reply.content());
            assertTrue(reply.content().contains("\"city\""), reply.content());
        }
    }
}
