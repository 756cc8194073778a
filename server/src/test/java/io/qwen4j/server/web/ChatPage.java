package io.qwen4j.server.web;

import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The chat page as the browser tests see it: its controls and the last assistant reply. */
final class ChatPage {
  private final WebDriver driver;

  ChatPage(WebDriver driver) {
    this.driver = driver;
  }

  /** Loads the page with no settings left over from an earlier test. */
  void open(String url) {
    driver.get(url);
    ((JavascriptExecutor) driver).executeScript("localStorage.clear(); sessionStorage.clear();");
    driver.navigate().refresh();
  }

  void waitForStatus(String status) {
    wait(Duration.ofSeconds(10)).until(d -> status.equals(d.findElement(By.id("server-status")).getText()));
  }

  /** Types into the message box; keys may include Enter (send) and Shift+Enter (new line). */
  void type(CharSequence... keys) {
    driver.findElement(By.id("input")).sendKeys(keys);
  }

  void fill(String id, String value) {
    WebElement field = driver.findElement(By.id(id));
    field.clear();
    field.sendKeys(value);
  }

  WebElement lastAssistant() {
    List<WebElement> replies = driver.findElements(By.cssSelector("#messages .msg.assistant"));
    if (replies.isEmpty()) throw new AssertionError("no assistant message on the page");
    return replies.getLast();
  }

  /** The text of the last answer, or "" before one exists. */
  String lastAnswerText() {
    Object text = ((JavascriptExecutor) driver).executeScript(
        "const a = document.querySelectorAll('#messages .msg.assistant .answer');"
            + "return a.length ? a[a.length - 1].textContent : '';");
    return (String) text;
  }

  /** True once the last reply has ended (done, stopped or failed). */
  boolean lastAssistantDone() {
    Object done = ((JavascriptExecutor) driver).executeScript(
        "const m = document.querySelectorAll('#messages .msg.assistant');"
            + "return m.length > 0 && m[m.length - 1].dataset.state !== undefined;");
    return Boolean.TRUE.equals(done);
  }

  void waitForLastAssistantDone() {
    wait(Duration.ofSeconds(20)).until(d -> lastAssistantDone());
  }

  private WebDriverWait wait(Duration timeout) {
    WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(20));
    return wait;
  }
}
