package io.qwen4j.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent-events response as OpenAI streams it: {@code data: {json}} events and a final
 * {@code data: [DONE]}. Every event is flushed at once; a failed write means the client has gone.
 */
final class SseStream {

    private final ServletOutputStream out;

    SseStream(HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("text/event-stream;charset=utf-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        this.out = response.getOutputStream();
        out.flush();
    }

    void send(JsonNode event) throws IOException {
        write("data: " + Json.write(event) + "\n\n");
    }

    void done() throws IOException {
        write("data: [DONE]\n\n");
    }

    /** An SSE comment: clients ignore it; it keeps proxies from timing out and finds clients that left. */
    void keepAlive() throws IOException {
        write(": keep-alive\n\n");
    }

    private void write(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
