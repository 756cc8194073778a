package io.qwen4j.server.web;

import static io.qwen4j.server.web.FakeChatServer.Step.say;
import static io.qwen4j.server.web.FakeChatServer.Step.think;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qwen4j.server.web.FakeChatServer.Failure;
import io.qwen4j.server.web.FakeChatServer.Request;
import io.qwen4j.server.web.FakeChatServer.Step;
import io.qwen4j.server.web.FakeChatServer.Stream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Drives the chat page in headless Chromium against a scripted SSE endpoint. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatPageBrowserTest {
  private FakeChatServer server;
  private ChromeDriver driver;
  private ChatPage page;

  @BeforeAll
  void startBrowser() throws Exception {
    if (!HeadlessChromium.installed()) return; // each test then skips with the reason
    server = FakeChatServer.start();
    driver = HeadlessChromium.start();
    page = new ChatPage(driver);
  }

  @AfterAll
  void stopBrowser() {
    if (driver != null) driver.quit();
    if (server != null) server.close();
  }

  @BeforeEach
  void freshPage() {
    HeadlessChromium.assumeInstalled();
    server.reset();
    page.open(server.url());
    page.waitForStatus("Ready");
  }

  @Test
  void answerStreamsInWithThinkingApartAndMarkdownRendered() throws Exception {
    List<Step> steps = new ArrayList<>();
    steps.add(think(80, "The user greets me. "));
    steps.add(think(80, "I should show a code sample."));
    for (String piece : List.of("Here is **bold** text", " and `inline` code.\n\n", "- first\n", "- second\n\n",
        "```java\n", "int x = 1;\n", "```\n", "See [docs](https://example.com/docs).")) {
      steps.add(say(150, piece));
    }
    server.enqueue(new Stream(steps));

    page.type("Hello", Keys.ENTER);

    // Poll while the reply streams: the answer must show up before the server has sent all of it.
    Set<String> seen = new LinkedHashSet<>();
    int chunksWhenFirstSeen = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!page.lastAssistantDone() && System.nanoTime() < deadline) {
      String text = page.lastAnswerText();
      if (!text.isEmpty() && seen.add(text) && chunksWhenFirstSeen < 0) chunksWhenFirstSeen = server.chunksSent();
      Thread.sleep(15);
    }
    assertTrue(page.lastAssistantDone(), "the reply never finished");
    assertTrue(chunksWhenFirstSeen > 0 && chunksWhenFirstSeen < steps.size(),
        "answer text appeared only after the stream ended (chunks sent then: " + chunksWhenFirstSeen + ")");
    assertTrue(seen.size() >= 3, "expected the answer to grow in several steps, saw " + seen);

    WebElement reply = page.lastAssistant();
    WebElement thinking = reply.findElement(By.cssSelector("details.thinking"));
    assertEquals("The user greets me. I should show a code sample.", text(thinking.findElement(By.className("thinking-text"))));
    assertFalse(thinking.getDomProperty("open").equals("true"), "thinking should fold away once the answer starts");
    assertTrue(text(thinking.findElement(By.tagName("summary"))).startsWith("Thought for "));

    WebElement answer = reply.findElement(By.className("answer"));
    assertFalse(text(answer).contains("greets"), "thinking leaked into the answer");
    assertEquals("bold", text(answer.findElement(By.cssSelector("p strong"))));
    assertEquals("inline", text(answer.findElement(By.cssSelector("p code"))));
    assertEquals(List.of("first", "second"),
        answer.findElements(By.cssSelector("ul > li")).stream().map(ChatPageBrowserTest::text).toList());
    WebElement code = answer.findElement(By.cssSelector("pre > code.language-java"));
    assertEquals("int x = 1;", text(code));
    WebElement link = answer.findElement(By.cssSelector("a"));
    assertEquals("https://example.com/docs", link.getDomAttribute("href"));
    assertEquals("docs", text(link));
    assertTrue(text(reply.findElement(By.className("msg-meta"))).startsWith("10 tokens"),
        "usage from the last chunk is shown");

    HeadlessChromium.screenshot(driver, "streamed");
  }

  @Test
  void thinkTagsInContentAreShownAsThinkingAndNotSentBack() throws Exception {
    // A server without a reasoning parser streams the thinking inside content.
    server.enqueue(new Stream(List.of(say(20, "<think>\nweigh "), say(20, "the options\n</think>\n\n"),
        say(20, "The **answer**."))));
    page.type("Decide", Keys.ENTER);
    page.waitForLastAssistantDone();

    WebElement reply = page.lastAssistant();
    assertEquals("weigh the options", text(reply.findElement(By.className("thinking-text"))));
    assertEquals("The answer.", page.lastAnswerText());
    assertEquals("answer", text(reply.findElement(By.cssSelector(".answer strong"))));

    server.enqueue(new Stream(List.of(say(20, "Fine."))));
    page.type("Thanks", Keys.ENTER);
    page.waitForLastAssistantDone();
    server.requests().poll(5, TimeUnit.SECONDS);
    assertEquals(List.of(
        Map.of("role", "user", "content", "Decide"),
        Map.of("role", "assistant", "content", "The **answer**."),
        Map.of("role", "user", "content", "Thanks")), server.requests().poll(5, TimeUnit.SECONDS).body().get("messages"));
  }

  @Test
  void htmlInModelOutputStaysText() {
    String hostile = "Look <img src=x onerror=\"document.title='pwned'\"> <b>not bold</b>"
        + " <script>document.title='pwned'</script> [click](javascript:document.title='pwned')";
    server.enqueue(new Stream(List.of(think(20, "<i>thinking markup</i>"), say(20, hostile))));

    page.type("Show me HTML", Keys.ENTER);
    page.waitForLastAssistantDone();

    WebElement messages = driver.findElement(By.id("messages"));
    assertTrue(messages.findElements(By.cssSelector("img, b, i, script")).isEmpty(), "model HTML became elements");
    assertTrue(messages.findElements(By.cssSelector("a")).isEmpty(), "a javascript: link was made clickable");
    String answer = page.lastAnswerText();
    assertTrue(answer.contains("<img src=x onerror=\"document.title='pwned'\">"), answer);
    assertTrue(answer.contains("<b>not bold</b>"), answer);
    assertEquals("<i>thinking markup</i>",
        text(page.lastAssistant().findElement(By.className("thinking-text"))));
    assertFalse(driver.getTitle().contains("pwned"));
  }

  @Test
  void stopButtonAbortsTheStream() throws Exception {
    List<Step> steps = IntStream.range(0, 100).mapToObj(i -> say(100, "word" + i + " ")).toList();
    server.enqueue(new Stream(steps));

    page.type("Count slowly", Keys.ENTER);
    new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> page.lastAnswerText().contains("word2"));
    driver.findElement(By.id("stop")).click();

    int sentBeforeClose = server.disconnected().get(10, TimeUnit.SECONDS);
    assertTrue(sentBeforeClose < steps.size(), "the server kept streaming to the end");
    page.waitForLastAssistantDone();
    assertEquals("stopped", page.lastAssistant().getDomAttribute("data-state"));
    assertTrue(text(page.lastAssistant().findElement(By.className("msg-meta"))).startsWith("Stopped"));
    assertTrue(driver.findElement(By.id("send")).isDisplayed(), "send is back after stopping");
    assertFalse(driver.findElement(By.id("stop")).isDisplayed());
  }

  @Test
  void multiTurnSendsTheWholeConversationWithSettings() throws Exception {
    server.requireKey("sk-test");
    page.open(server.url());
    page.waitForStatus("API key required");
    page.fill("api-key", "sk-test");
    driver.findElement(By.id("api-key")).sendKeys(Keys.TAB);
    page.waitForStatus("Ready");
    page.fill("system", "Be brief.");
    page.fill("temperature", "0.2");
    page.fill("budget", "64");

    server.enqueue(new Stream(List.of(say(20, "Hello "), say(20, "Ada"))));
    page.type("line1", Keys.chord(Keys.SHIFT, Keys.ENTER), "line2", Keys.ENTER);
    page.waitForLastAssistantDone();
    Request first = server.requests().poll(5, TimeUnit.SECONDS);
    assertNotNull(first);
    assertEquals("Bearer sk-test", first.authorization());
    Map<String, Object> body = first.body();
    assertEquals(FakeChatServer.MODEL, body.get("model"));
    assertEquals(true, body.get("stream"));
    assertEquals(0.2, ((Number) body.get("temperature")).doubleValue(), 1e-9);
    assertEquals(Map.of("enable_thinking", true), body.get("chat_template_kwargs"));
    assertEquals(64L, ((Number) body.get("thinking_budget_tokens")).longValue());
    assertEquals(List.of(
        Map.of("role", "system", "content", "Be brief."),
        Map.of("role", "user", "content", "line1\nline2")), body.get("messages"));

    driver.findElement(By.id("thinking")).click();
    server.enqueue(new Stream(List.of(say(20, "Your name is Ada."))));
    page.type("What is my name?", Keys.ENTER);
    page.waitForLastAssistantDone();
    Map<String, Object> second = server.requests().poll(5, TimeUnit.SECONDS).body();
    assertEquals(Map.of("enable_thinking", false), second.get("chat_template_kwargs"));
    assertNull(second.get("thinking_budget_tokens"), "no budget when thinking is off");
    assertEquals(List.of(
        Map.of("role", "system", "content", "Be brief."),
        Map.of("role", "user", "content", "line1\nline2"),
        Map.of("role", "assistant", "content", "Hello Ada"),
        Map.of("role", "user", "content", "What is my name?")), second.get("messages"));
    assertEquals(4, driver.findElements(By.cssSelector("#messages .msg")).size());

    driver.findElement(By.id("new-chat")).click();
    assertTrue(driver.findElements(By.cssSelector("#messages .msg")).isEmpty());
    server.enqueue(new Stream(List.of(say(20, "Fresh start."))));
    page.type("Hi again", Keys.ENTER);
    page.waitForLastAssistantDone();
    assertEquals(List.of(
        Map.of("role", "system", "content", "Be brief."),
        Map.of("role", "user", "content", "Hi again")), server.requests().poll(5, TimeUnit.SECONDS).body().get("messages"));
  }

  @Test
  void serverErrorIsShownAndTheMessageGivenBack() {
    server.enqueue(new Failure(400, "{\"error\":{\"message\":\"This prompt has 5000 tokens but the context holds 4096\","
        + "\"type\":\"invalid_request_error\"}}"));

    page.type("A very long prompt", Keys.ENTER);
    page.waitForLastAssistantDone();

    WebElement alert = page.lastAssistant().findElement(By.cssSelector(".error[role=alert]"));
    assertEquals("This prompt has 5000 tokens but the context holds 4096", text(alert));
    assertEquals("error", page.lastAssistant().getDomAttribute("data-state"));
    assertEquals("A very long prompt", driver.findElement(By.id("input")).getDomProperty("value"));
  }

  private static String text(WebElement element) {
    return element.getDomProperty("textContent");
  }
}
