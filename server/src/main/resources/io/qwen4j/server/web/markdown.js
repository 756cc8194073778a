// A small Markdown renderer for untrusted model output.
// It builds DOM nodes with createElement/createTextNode only, so any HTML in the
// text stays text: nothing the model writes can become an element or a script.
// It is tolerant of half-written input because answers are re-rendered while they stream.

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const SAFE_URL = /^(https?:|mailto:)/i;

/** Renders Markdown text into a DocumentFragment. */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  renderBlocks(text.replace(/\r\n?/g, "\n").split("\n"), fragment);
  return fragment;
}

function el(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

function isBlank(line) {
  return line.trim() === "";
}

function startsBlock(line, next) {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line)
    || LIST_ITEM.test(line) || isTableStart(line, next);
}

function isTableStart(line, next) {
  return line.includes("|") && next !== undefined && next.includes("-") && TABLE_RULE.test(next);
}

function renderBlocks(lines, parent) {
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) { i++; continue; }
    let m;
    if ((m = FENCE.exec(line))) {
      i = renderFence(lines, i, m, parent);
    } else if ((m = HEADING.exec(line))) {
      const h = el("h" + Math.min(m[1].length + 2, 6));
      renderInline(m[2], h);
      parent.appendChild(h);
      i++;
    } else if (RULE.test(line)) {
      parent.appendChild(el("hr"));
      i++;
    } else if (QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && (m = QUOTE.exec(lines[i]))) { inner.push(m[1]); i++; }
      const quote = el("blockquote");
      renderBlocks(inner, quote);
      parent.appendChild(quote);
    } else if (LIST_ITEM.test(line)) {
      i = renderList(lines, i, parent);
    } else if (isTableStart(line, lines[i + 1])) {
      i = renderTable(lines, i, parent);
    } else {
      const p = el("p");
      let first = true;
      while (i < lines.length && !isBlank(lines[i]) && (first || !startsBlock(lines[i], lines[i + 1]))) {
        if (!first) p.appendChild(el("br"));
        renderInline(lines[i].trim(), p);
        first = false;
        i++;
      }
      parent.appendChild(p);
    }
  }
}

// A fence that is still open (the model is mid-block) runs to the end of the text.
function renderFence(lines, start, match, parent) {
  const marker = match[1];
  const language = match[2];
  const body = [];
  let i = start + 1;
  while (i < lines.length) {
    const trimmed = lines[i].trim();
    if (trimmed.startsWith(marker[0].repeat(marker.length)) && /^([`~])\1*$/.test(trimmed)) { i++; break; }
    body.push(lines[i]);
    i++;
  }
  const block = el("div", "code-block");
  const bar = el("div", "code-bar");
  const label = el("span", "code-lang");
  label.textContent = language || "text";
  const copy = el("button", "code-copy");
  copy.type = "button";
  copy.textContent = "Copy";
  copy.setAttribute("aria-label", "Copy code");
  bar.append(label, copy);
  const pre = el("pre");
  const code = el("code");
  if (language) code.className = "language-" + language.replace(/[^\w+#.-]/g, "");
  code.textContent = body.join("\n");
  pre.appendChild(code);
  block.append(bar, pre);
  parent.appendChild(block);
  return i;
}

function renderList(lines, start, parent) {
  const first = LIST_ITEM.exec(lines[start]);
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const list = el(ordered ? "ol" : "ul");
  if (ordered && parseInt(first[2], 10) !== 1) list.start = parseInt(first[2], 10);
  let i = start;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]);
    if (!m || m[1].length !== indent || /\d/.test(m[2]) !== ordered) break;
    // The item's own text, then every following line that is indented deeper (nested lists, continuations).
    const itemLines = [m[3]];
    i++;
    while (i < lines.length) {
      const line = lines[i];
      if (isBlank(line)) {
        const next = lines.slice(i + 1).find((l) => !isBlank(l));
        if (next === undefined || leadingSpaces(next) <= indent) break;
        itemLines.push("");
        i++;
        continue;
      }
      const nested = LIST_ITEM.exec(line);
      if (nested && nested[1].length <= indent) break;
      if (!nested && leadingSpaces(line) <= indent && startsBlock(line, lines[i + 1])) break;
      itemLines.push(dedent(line, indent + 2));
      i++;
    }
    const li = el("li");
    if (itemLines.length === 1) {
      renderInline(itemLines[0], li);
    } else {
      renderBlocks(itemLines, li);
      // Tight items read better without a paragraph margin around their first line.
      if (li.firstChild && li.firstChild.tagName === "P") li.firstChild.classList.add("tight");
    }
    list.appendChild(li);
    while (i < lines.length && isBlank(lines[i])) {
      const next = lines.slice(i + 1).find((l) => !isBlank(l));
      const nm = next === undefined ? null : LIST_ITEM.exec(next);
      if (!nm || nm[1].length !== indent) break;
      i++;
    }
  }
  parent.appendChild(list);
  return i;
}

function leadingSpaces(line) {
  return line.length - line.trimStart().length;
}

function dedent(line, amount) {
  const n = Math.min(amount, leadingSpaces(line));
  return line.slice(n);
}

function splitRow(line) {
  let s = line.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1);
  return s.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

function renderTable(lines, start, parent) {
  const header = splitRow(lines[start]);
  const aligns = splitRow(lines[start + 1]).map((c) =>
    c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : c.startsWith(":") ? "left" : "");
  const wrap = el("div", "table-wrap");
  const table = el("table");
  const thead = el("thead");
  const headRow = el("tr");
  header.forEach((cell, c) => {
    const th = el("th");
    th.scope = "col";
    if (aligns[c]) th.style.textAlign = aligns[c];
    renderInline(cell, th);
    headRow.appendChild(th);
  });
  thead.appendChild(headRow);
  table.appendChild(thead);
  const tbody = el("tbody");
  let i = start + 2;
  while (i < lines.length && !isBlank(lines[i]) && lines[i].includes("|")) {
    const row = el("tr");
    splitRow(lines[i]).slice(0, header.length).forEach((cell, c) => {
      const td = el("td");
      if (aligns[c]) td.style.textAlign = aligns[c];
      renderInline(cell, td);
      row.appendChild(td);
    });
    tbody.appendChild(row);
    i++;
  }
  table.appendChild(tbody);
  wrap.appendChild(table);
  parent.appendChild(wrap);
  return i;
}

/** Renders inline Markdown (code spans, emphasis, links) into parent. */
function renderInline(text, parent) {
  let plain = "";
  const flush = () => {
    if (plain) { parent.appendChild(document.createTextNode(plain)); plain = ""; }
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\" && i + 1 < text.length && /[!-\/:-@\[-`{-~]/.test(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === "`") {
      const run = /^`+/.exec(text.slice(i))[0];
      const end = text.indexOf(run, i + run.length);
      if (end > i) {
        flush();
        const code = el("code");
        code.textContent = text.slice(i + run.length, end).replace(/^ (.*) $/, "$1");
        parent.appendChild(code);
        i = end + run.length;
        continue;
      }
      plain += run;
      i += run.length;
      continue;
    }
    const span = matchDelimited(text, i);
    if (span) {
      flush();
      const node = el(span.tag);
      renderInline(span.inner, node);
      parent.appendChild(node);
      i = span.end;
      continue;
    }
    if (ch === "[" || (ch === "!" && text[i + 1] === "[")) {
      // Images are shown as links: loading them would let model output fetch arbitrary URLs.
      const link = matchLink(text, ch === "!" ? i + 1 : i);
      if (link) {
        flush();
        parent.appendChild(link.node);
        i = link.end;
        continue;
      }
    }
    if ((ch === "h" || ch === "H") && (i === 0 || !/\w/.test(text[i - 1]))) {
      const m = /^https?:\/\/[^\s<>"'`]+/i.exec(text.slice(i));
      if (m) {
        const url = m[0].replace(/[.,;:!?)\]]+$/, "");
        flush();
        parent.appendChild(anchor(url, url));
        i += url.length;
        continue;
      }
    }
    plain += ch;
    i++;
  }
  flush();
}

const DELIMITERS = [
  { open: "**", tag: "strong" },
  { open: "__", tag: "strong", word: true },
  { open: "~~", tag: "del" },
  { open: "*", tag: "em" },
  { open: "_", tag: "em", word: true },
];

// Emphasis: the opener must be followed by a non-space and the closer preceded by one;
// underscores only count at word boundaries so snake_case stays as it is.
function matchDelimited(text, i) {
  for (const d of DELIMITERS) {
    if (!text.startsWith(d.open, i)) continue;
    const after = text[i + d.open.length];
    if (after === undefined || /\s/.test(after) || after === d.open[0]) continue;
    if (d.word && i > 0 && /\w/.test(text[i - 1])) continue;
    let from = i + d.open.length + 1;
    while (true) {
      const end = text.indexOf(d.open, from);
      if (end < 0) break;
      const before = text[end - 1];
      const next = text[end + d.open.length];
      const doubled = d.open.length === 1 && next === d.open;
      const wordAfter = d.word && next !== undefined && /\w/.test(next);
      if (!/\s/.test(before) && !doubled && !wordAfter) {
        return { tag: d.tag, inner: text.slice(i + d.open.length, end), end: end + d.open.length };
      }
      from = doubled ? end + 2 : end + 1;
    }
  }
  return null;
}

function matchLink(text, i) {
  const close = findClosingBracket(text, i);
  if (close < 0 || text[close + 1] !== "(") return null;
  const end = findClosingParen(text, close + 1);
  if (end < 0) return null;
  const target = text.slice(close + 2, end).trim().split(/\s+/)[0].replace(/^<(.*)>$/, "$1");
  const label = text.slice(i + 1, close);
  if (!SAFE_URL.test(target)) {
    // Unsafe or relative targets (javascript:, data:, ...) are shown as plain text, never linked.
    const span = el("span");
    renderInline(label, span);
    span.appendChild(document.createTextNode(" (" + target + ")"));
    return { node: span, end: end + 1 };
  }
  const a = anchor(target, null);
  renderInline(label, a);
  return { node: a, end: end + 1 };
}

function findClosingBracket(text, i) {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    if (text[j] === "\\") { j++; continue; }
    if (text[j] === "[") depth++;
    else if (text[j] === "]" && --depth === 0) return j;
  }
  return -1;
}

// URLs may hold balanced parentheses (Wikipedia links do); the link ends at the one that balances.
function findClosingParen(text, open) {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === "(") depth++;
    else if (text[j] === ")" && --depth === 0) return j;
    else if (text[j] === "\n") return -1;
  }
  return -1;
}

function anchor(href, label) {
  const a = el("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer nofollow";
  if (label !== null) a.textContent = label;
  return a;
}
