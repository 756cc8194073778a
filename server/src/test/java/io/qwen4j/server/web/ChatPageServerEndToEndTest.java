package io.qwen4j.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qwen4j.core.model.Model;
import io.qwen4j.server.QwenServer;
import io.qwen4j.server.ServerOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.chrome.ChromeDriver;

/** The page served by the real qwen4j server on the tiny Qwen3 model: a message streams into it. */
class ChatPageServerEndToEndTest {
  private static final int MAX_TOKENS = 120;

  @Test
  void messageStreamsIntoThePageFromTheRealServer() throws Exception {
    HeadlessChromium.assumeInstalled();
    Model model = Model.load(Path.of(System.getProperty("qwen4j.testdata")).resolve("models/qwen3-tiny/model.gguf"));
    try (QwenServer server = QwenServer.start(model, ServerOptions.defaults("qwen3-tiny", 512).withPort(0))) {
      ChromeDriver driver = HeadlessChromium.start();
      try {
        ChatPage page = new ChatPage(driver);
        page.open(server.url() + "/");
        page.waitForStatus("Ready");
        assertEquals("qwen3-tiny", driver.findElement(By.id("model")).getDomProperty("value"));
        page.fill("max-tokens", String.valueOf(MAX_TOKENS));
        page.fill("temperature", "0");
        // The tiny model's weights are random: without thinking every token lands in the answer.
        driver.findElement(By.id("thinking")).click();

        // Record every text the answer shows, as the page paints it, to see it arrive in pieces.
        driver.executeScript("""
            window.answerTexts = [];
            new MutationObserver(() => {
              const answers = document.querySelectorAll('#messages .msg.assistant .answer');
              const text = answers.length ? answers[answers.length - 1].textContent : '';
              if (text && window.answerTexts.at(-1) !== text) window.answerTexts.push(text);
            }).observe(document.getElementById('messages'), {childList: true, subtree: true, characterData: true});
            """);
        page.type("Hello there", Keys.ENTER);
        page.waitForLastAssistantDone();

        assertEquals("done", page.lastAssistant().getDomAttribute("data-state"));
        String answer = page.lastAnswerText();
        assertFalse(answer.isBlank(), "the answer stayed empty");
        @SuppressWarnings("unchecked")
        List<String> painted = (List<String>) driver.executeScript("return window.answerTexts;");
        assertTrue(painted.size() >= 2, "the answer appeared in one piece, not streamed: " + painted.size() + " paint(s)");
        assertEquals(answer, painted.getLast());
        String meta = page.lastAssistant().findElement(By.className("msg-meta")).getDomProperty("textContent");
        Matcher tokens = Pattern.compile("^(?:Cut off at the token limit · )?(\\d+) tokens").matcher(meta);
        assertTrue(tokens.find(), meta);
        int count = Integer.parseInt(tokens.group(1));
        assertTrue(count >= 2 && count <= MAX_TOKENS, meta);
        HeadlessChromium.screenshot(driver, "end-to-end");
      } finally {
        driver.quit();
      }
    }
  }
}
