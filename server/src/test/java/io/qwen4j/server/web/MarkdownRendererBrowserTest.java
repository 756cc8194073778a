package io.qwen4j.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.chrome.ChromeDriver;

/** Runs the page's Markdown renderer in Chromium and compares the HTML it builds with hand-written markup. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MarkdownRendererBrowserTest {
  private static final String LINK_ATTRS = "target=\"_blank\" rel=\"noopener noreferrer nofollow\"";
  private static final String COPY_BUTTON = "<button class=\"code-copy\" type=\"button\" aria-label=\"Copy code\">Copy</button>";

  private FakeChatServer server;
  private ChromeDriver driver;

  @BeforeAll
  void startBrowser() throws Exception {
    if (!HeadlessChromium.installed()) return; // each test then skips with the reason
    server = FakeChatServer.start();
    driver = HeadlessChromium.start();
    driver.get(server.url());
  }

  @BeforeEach
  void needsBrowser() {
    HeadlessChromium.assumeInstalled();
  }

  @AfterAll
  void stopBrowser() {
    if (driver != null) driver.quit();
    if (server != null) server.close();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("**bold**, *em*, ~~gone~~ and snake_case_name",
            "<p><strong>bold</strong>, <em>em</em>, <del>gone</del> and snake_case_name</p>"),
        Arguments.of("__strong__ and _em_", "<p><strong>strong</strong> and <em>em</em></p>"),
        Arguments.of("2 * 3 * 4", "<p>2 * 3 * 4</p>"),
        Arguments.of("\\*not em\\*", "<p>*not em*</p>"),
        Arguments.of("first line\nsecond line\n\nnew paragraph", "<p>first line<br>second line</p><p>new paragraph</p>"),
        Arguments.of("`a < b` and ``x ` y``", "<p><code>a &lt; b</code> and <code>x ` y</code></p>"),
        Arguments.of("<script>alert(1)</script><img src=x onerror=alert(2)>",
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;</p>"),
        Arguments.of("# Title\n## Sub", "<h3>Title</h3><h4>Sub</h4>"),
        Arguments.of("> quoted *text*", "<blockquote><p>quoted <em>text</em></p></blockquote>"),
        Arguments.of("before\n\n---\n\nafter", "<p>before</p><hr><p>after</p>"),
        Arguments.of("- a\n- b\n\n- c", "<ul><li>a</li><li>b</li><li>c</li></ul>"),
        Arguments.of("3. three\n4. four", "<ol start=\"3\"><li>three</li><li>four</li></ol>"),
        Arguments.of("1. one\n2. two\n   - nested\n3. three",
            "<ol><li>one</li><li><p class=\"tight\">two</p><ul><li>nested</li></ul></li><li>three</li></ol>"),
        Arguments.of("```js\nlet a = '<b>';\n\n  indented\n```\nafter",
            "<div class=\"code-block\"><div class=\"code-bar\"><span class=\"code-lang\">js</span>" + COPY_BUTTON
                + "</div><pre><code class=\"language-js\">let a = '&lt;b&gt;';\n\n  indented</code></pre></div><p>after</p>"),
        // While a reply streams, a fence that is not closed yet still renders as code.
        Arguments.of("text\n```\nstill **open**",
            "<p>text</p><div class=\"code-block\"><div class=\"code-bar\"><span class=\"code-lang\">text</span>" + COPY_BUTTON
                + "</div><pre><code>still **open**</code></pre></div>"),
        Arguments.of("| a | b |\n|:--|--:|\n| 1 | `2` |",
            "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\" style=\"text-align: left;\">a</th>"
                + "<th scope=\"col\" style=\"text-align: right;\">b</th></tr></thead><tbody><tr>"
                + "<td style=\"text-align: left;\">1</td><td style=\"text-align: right;\"><code>2</code></td></tr></tbody></table></div>"),
        Arguments.of("[docs](https://example.com/a_(b)) here",
            "<p><a href=\"https://example.com/a_(b)\" " + LINK_ATTRS + ">docs</a> here</p>"),
        Arguments.of("see https://example.org/x.", "<p>see <a href=\"https://example.org/x\" " + LINK_ATTRS + ">https://example.org/x</a>.</p>"),
        Arguments.of("[x](javascript:alert(1))", "<p><span>x (javascript:alert(1))</span></p>"),
        Arguments.of("![a cat](https://example.com/cat.png)",
            "<p><a href=\"https://example.com/cat.png\" " + LINK_ATTRS + ">a cat</a></p>"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void rendersMarkdown(String markdown, String html) {
    Object rendered = driver.executeAsyncScript(
        "const [source, done] = arguments;"
            + "import('./markdown.js').then((m) => {"
            + "  const box = document.createElement('div');"
            + "  box.appendChild(m.renderMarkdown(source));"
            + "  done(box.innerHTML);"
            + "}, (e) => done('import failed: ' + e));",
        markdown);
    assertEquals(html, rendered);
  }
}
