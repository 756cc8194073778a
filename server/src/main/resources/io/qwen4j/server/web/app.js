// The chat page: keeps the conversation, streams answers from /v1/chat/completions
// and shows thinking apart from the answer. Model text only ever reaches the page
// through textContent or the Markdown renderer, which builds nodes and never parses HTML.
import { renderMarkdown } from "./markdown.js";
import { readServerSentEvents } from "./sse.js";

const $ = (id) => document.getElementById(id);
const ui = {
  messages: $("messages"),
  empty: $("empty-state"),
  composer: $("composer"),
  input: $("input"),
  send: $("send"),
  stop: $("stop"),
  model: $("model"),
  status: $("server-status"),
  system: $("system"),
  temperature: $("temperature"),
  temperatureRange: $("temperature-range"),
  maxTokens: $("max-tokens"),
  thinking: $("thinking"),
  budget: $("budget"),
  apiKey: $("api-key"),
  newChat: $("new-chat"),
  settingsToggle: $("settings-toggle"),
  settings: $("settings"),
  template: $("message-template"),
};

/** The conversation as the API sees it: user and assistant turns, without the system prompt. */
let history = [];
let running = null;

// ---------- settings ----------

const SETTINGS = ["system", "temperature", "maxTokens", "budget"];

function loadSettings() {
  for (const name of SETTINGS) {
    const saved = localStorage.getItem("qwen4j." + name);
    if (saved !== null) ui[name].value = saved;
  }
  const thinking = localStorage.getItem("qwen4j.thinking");
  if (thinking !== null) ui.thinking.checked = thinking === "true";
  // The key stays in this tab only: sessionStorage is not shared with other tabs or kept on disk for long.
  ui.apiKey.value = sessionStorage.getItem("qwen4j.apiKey") ?? "";
  ui.temperatureRange.value = ui.temperature.value || "0.6";
  // On a narrow screen the settings cover the chat, so they start closed there.
  const narrow = window.matchMedia("(max-width: 900px)");
  if (narrow.matches) setSettingsOpen(false);
  narrow.addEventListener("change", () => setSettingsOpen(!narrow.matches));
  updateBudgetEnabled();
}

function saveSettings() {
  for (const name of SETTINGS) localStorage.setItem("qwen4j." + name, ui[name].value);
  localStorage.setItem("qwen4j.thinking", String(ui.thinking.checked));
  sessionStorage.setItem("qwen4j.apiKey", ui.apiKey.value);
}

function updateBudgetEnabled() {
  ui.budget.disabled = !ui.thinking.checked;
}

function setSettingsOpen(open) {
  ui.settings.hidden = !open;
  ui.settingsToggle.setAttribute("aria-expanded", String(open));
}

function headers() {
  const h = { "Content-Type": "application/json", Accept: "text/event-stream" };
  const key = ui.apiKey.value.trim();
  if (key) h.Authorization = "Bearer " + key;
  return h;
}

// ---------- models ----------

async function loadModels() {
  ui.status.textContent = "Connecting…";
  ui.status.dataset.state = "pending";
  try {
    const response = await fetch("v1/models", { headers: headers() });
    if (response.status === 401) {
      ui.status.textContent = "API key required";
      ui.status.dataset.state = "error";
      setSettingsOpen(true);
      return;
    }
    if (!response.ok) throw new Error(await errorMessage(response));
    const body = await response.json();
    const ids = (body.data ?? []).map((m) => m.id).filter((id) => typeof id === "string");
    const previous = ui.model.value;
    ui.model.replaceChildren(...ids.map((id) => new Option(id, id)));
    if (ids.includes(previous)) ui.model.value = previous;
    ui.status.textContent = ids.length ? "Ready" : "No model loaded";
    ui.status.dataset.state = ids.length ? "ok" : "error";
    document.title = ids.length ? ids[0] + " · qwen4j" : "qwen4j chat";
  } catch (e) {
    ui.status.textContent = "Server unreachable: " + e.message;
    ui.status.dataset.state = "error";
  }
}

async function errorMessage(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body && body.error) return typeof body.error === "string" ? body.error : body.error.message ?? text;
  } catch {
    // not JSON: fall through to the raw text
  }
  return `HTTP ${response.status}${text ? ": " + text.slice(0, 300) : ""}`;
}

// ---------- messages in the page ----------

function addMessage(role) {
  ui.empty.hidden = true;
  const node = ui.template.content.firstElementChild.cloneNode(true);
  node.classList.add(role);
  node.querySelector(".msg-role").textContent = role === "user" ? "You" : "Assistant";
  ui.messages.appendChild(node);
  return {
    node,
    answer: node.querySelector(".answer"),
    thinking: node.querySelector(".thinking"),
    thinkingLabel: node.querySelector(".thinking-label"),
    thinkingText: node.querySelector(".thinking-text"),
    meta: node.querySelector(".msg-meta"),
  };
}

function addUserMessage(text) {
  const view = addMessage("user");
  // User text is shown as typed, not as Markdown.
  view.answer.classList.add("plain");
  view.answer.textContent = text;
  scrollToEnd(true);
}

function nearBottom() {
  return window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
}

function scrollToEnd(force) {
  if (force || nearBottom()) window.scrollTo({ top: document.body.scrollHeight });
}

// ---------- one assistant turn ----------

/**
 * Splits streamed output into thinking and answer. Servers normally send thinking as
 * reasoning_content; a server without a reasoning parser puts "<think>…</think>" in content,
 * which is split off here the same way.
 */
class TurnText {
  reasoning = "";
  content = "";
  rawContent = "";

  addReasoning(text) {
    this.reasoning += text;
  }

  addContent(text) {
    this.rawContent += text;
    const raw = this.rawContent;
    const trimmed = raw.trimStart();
    if (trimmed.startsWith("<think>")) {
      const end = trimmed.indexOf("</think>");
      this.inlineReasoning = end < 0 ? trimmed.slice(7) : trimmed.slice(7, end);
      this.content = end < 0 ? "" : trimmed.slice(end + 8).trimStart();
    } else if ("<think>".startsWith(trimmed)) {
      this.content = "";
    } else {
      this.content = raw;
    }
  }

  get thinking() {
    return (this.reasoning + (this.inlineReasoning ?? "")).trim();
  }
}

function requestBody() {
  const messages = [];
  const system = ui.system.value.trim();
  if (system) messages.push({ role: "system", content: system });
  messages.push(...history);
  const body = { messages, stream: true, stream_options: { include_usage: true } };
  if (ui.model.value) body.model = ui.model.value;
  const temperature = parseFloat(ui.temperature.value);
  if (Number.isFinite(temperature)) body.temperature = temperature;
  const maxTokens = parseInt(ui.maxTokens.value, 10);
  if (maxTokens > 0) body.max_tokens = maxTokens;
  body.chat_template_kwargs = { enable_thinking: ui.thinking.checked };
  const budget = parseInt(ui.budget.value, 10);
  if (ui.thinking.checked && budget > 0) body.thinking_budget_tokens = budget;
  return body;
}

async function sendMessage(text) {
  history.push({ role: "user", content: text });
  addUserMessage(text);
  const view = addMessage("assistant");
  view.node.setAttribute("aria-busy", "true");
  view.answer.classList.add("pending");
  const turn = new TurnText();
  const controller = new AbortController();
  running = { controller, view };
  setRunning(true);

  const started = performance.now();
  let thinkingStarted = null;
  let thinkingEnded = null;
  let usage = null;
  let finishReason = null;
  let chunks = 0;
  let frame = 0;
  // Once the reader opens or closes the thinking, the page stops doing it for them.
  let userToggledThinking = false;
  view.thinking.querySelector("summary").addEventListener("click", () => { userToggledThinking = true; });

  const paint = () => {
    frame = 0;
    if (turn.thinking) {
      view.thinking.hidden = false;
      view.thinkingText.textContent = turn.thinking;
      if (!turn.content && !userToggledThinking) view.thinking.open = true;
    }
    if (turn.content) {
      view.answer.classList.remove("pending");
      view.answer.replaceChildren(renderMarkdown(turn.content));
      if (thinkingEnded === null && thinkingStarted !== null) {
        thinkingEnded = performance.now();
        view.thinkingLabel.textContent = `Thought for ${((thinkingEnded - thinkingStarted) / 1000).toFixed(1)} s`;
        // Fold the thinking away once the answer starts, unless the reader chose otherwise.
        if (!userToggledThinking) view.thinking.open = false;
      }
    }
    scrollToEnd(false);
  };
  const schedule = () => { if (frame === 0) frame = requestAnimationFrame(paint); };

  let outcome = "done";
  try {
    const response = await fetch("v1/chat/completions", {
      method: "POST",
      headers: headers(),
      body: JSON.stringify(requestBody()),
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    for await (const data of readServerSentEvents(response.body)) {
      if (data === "[DONE]") break;
      const chunk = JSON.parse(data);
      if (chunk.error) throw new Error(chunk.error.message ?? String(chunk.error));
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta ?? {};
      if (typeof delta.reasoning_content === "string" && delta.reasoning_content) {
        if (thinkingStarted === null) thinkingStarted = performance.now();
        turn.addReasoning(delta.reasoning_content);
      }
      if (typeof delta.content === "string" && delta.content) {
        const before = turn.thinking;
        turn.addContent(delta.content);
        if (turn.thinking !== before && thinkingStarted === null) thinkingStarted = performance.now();
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
      chunks++;
      schedule();
    }
  } catch (e) {
    outcome = controller.signal.aborted ? "stopped" : "error";
    if (outcome === "error") showError(view, e.message);
  }
  if (frame !== 0) cancelAnimationFrame(frame);
  paint();
  if (thinkingStarted !== null && thinkingEnded === null) {
    view.thinkingLabel.textContent = `Thought for ${((performance.now() - thinkingStarted) / 1000).toFixed(1)} s`;
  }
  view.answer.classList.remove("pending");
  view.node.removeAttribute("aria-busy");
  view.node.dataset.state = outcome;

  if (outcome === "error") {
    // The failed turn is not part of the conversation: take it back and let the user retry.
    history.pop();
    if (!ui.input.value) ui.input.value = text;
  } else {
    history.push({ role: "assistant", content: turn.content });
    view.meta.textContent = describeTurn(outcome, finishReason, usage, chunks, performance.now() - started);
  }
  running = null;
  setRunning(false);
  ui.input.focus();
}

function describeTurn(outcome, finishReason, usage, chunks, millis) {
  const parts = [];
  if (outcome === "stopped") parts.push("Stopped");
  else if (finishReason === "length") parts.push("Cut off at the token limit");
  const tokens = usage?.completion_tokens ?? chunks;
  const seconds = millis / 1000;
  parts.push(`${tokens} tokens`, `${seconds.toFixed(1)} s`);
  if (seconds > 0 && tokens > 0) parts.push(`${(tokens / seconds).toFixed(1)} tokens/s`);
  return parts.join(" · ");
}

function showError(view, message) {
  const box = document.createElement("div");
  box.className = "error";
  box.setAttribute("role", "alert");
  box.textContent = message;
  view.answer.after(box);
}

function setRunning(on) {
  ui.send.hidden = on;
  ui.stop.hidden = !on;
  ui.send.disabled = on;
  if (on) ui.stop.focus({ preventScroll: true });
}

function stop() {
  if (running) running.controller.abort();
}

function newChat() {
  stop();
  history = [];
  for (const node of [...ui.messages.querySelectorAll(".msg")]) node.remove();
  ui.empty.hidden = false;
  ui.input.focus();
}

// ---------- events ----------

function autoGrow() {
  ui.input.style.height = "auto";
  ui.input.style.height = Math.min(ui.input.scrollHeight + 2, 240) + "px";
  // Scroll only once the box has reached its tallest; below that it grows instead.
  ui.input.style.overflowY = ui.input.scrollHeight + 2 > 240 ? "auto" : "hidden";
}

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.input.value.trim();
  if (!text || running) return;
  ui.input.value = "";
  autoGrow();
  saveSettings();
  sendMessage(text);
});

ui.input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});
ui.input.addEventListener("input", autoGrow);

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && running) {
    event.preventDefault();
    stop();
  }
});

ui.stop.addEventListener("click", stop);
ui.newChat.addEventListener("click", newChat);
ui.settingsToggle.addEventListener("click", () => setSettingsOpen(ui.settings.hidden));

ui.temperatureRange.addEventListener("input", () => { ui.temperature.value = ui.temperatureRange.value; });
ui.temperature.addEventListener("input", () => { ui.temperatureRange.value = ui.temperature.value; });
ui.thinking.addEventListener("change", () => { updateBudgetEnabled(); saveSettings(); });
for (const field of [ui.system, ui.temperature, ui.temperatureRange, ui.maxTokens, ui.budget]) {
  field.addEventListener("change", saveSettings);
}
ui.apiKey.addEventListener("change", () => { saveSettings(); loadModels(); });

// Copy buttons live inside rendered answers; one listener serves them all.
ui.messages.addEventListener("click", async (event) => {
  const button = event.target.closest(".code-copy");
  if (!button) return;
  const code = button.closest(".code-block").querySelector("code");
  button.textContent = (await copyText(code)) ? "Copied" : "Copy failed";
  setTimeout(() => { button.textContent = "Copy"; }, 1500);
});

// The Clipboard API needs a secure context; a page opened over plain http on a LAN address
// falls back to copying a selection of the code element.
async function copyText(element) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(element.textContent);
      return true;
    } catch {
      // fall through to the selection copy
    }
  }
  const selection = window.getSelection();
  const range = document.createRange();
  range.selectNodeContents(element);
  selection.removeAllRanges();
  selection.addRange(range);
  const copied = document.execCommand("copy");
  selection.removeAllRanges();
  return copied;
}

loadSettings();
loadModels();
ui.input.focus();
