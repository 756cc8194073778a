package io.qwen4j.server.web;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Starts Debian's headless Chromium through the system chromedriver; nothing is ever downloaded. */
final class HeadlessChromium {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  // Held here so the level set in start() sticks: java.util.logging keeps only weak references to loggers.
  private static final Logger SELENIUM_LOG = Logger.getLogger("org.openqa.selenium");

  private HeadlessChromium() {}

  static boolean installed() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  /** Skips the calling test when the browser or its driver is not installed. */
  static void assumeInstalled() {
    assumeTrue(installed(),
        "browser test skipped: needs " + CHROMIUM + " and " + CHROMEDRIVER
            + " (Debian packages chromium and chromium-driver; .ci/run installs them)");
  }

  static ChromeDriver start() {
    // Selenium warns when its CDP bindings are older than the browser; the tests use WebDriver only.
    SELENIUM_LOG.setLevel(Level.SEVERE);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
        .usingAnyFreePort()
        .withLogOutput(java.io.OutputStream.nullOutputStream())
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-US");
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return driver;
  }

  /** Writes a PNG of the page for judging the layout by eye when -Dqwen4j.web.screenshots=DIR is given. */
  static void screenshot(ChromeDriver driver, String name) throws IOException {
    String dir = System.getProperty("qwen4j.web.screenshots");
    if (dir == null) return;
    Files.createDirectories(Path.of(dir));
    Files.write(Path.of(dir, name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
  }
}
