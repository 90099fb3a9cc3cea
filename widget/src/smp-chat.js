/* SMP Consult chat widget: one <script> tag, talks to Rasa's socket.io channel.
 *
 *   <script src="https://chat.your-clinic.example/widget/smp-chat.js" defer
 *           data-server="https://chat.your-clinic.example"   (the Rasa server; required)
 *           data-clinic="Pendle Scalp Studio"                 (shown in the header)
 *           data-colour="#1f4e5f"                             (launcher, header, your messages)
 *           data-position="right"                             (right | left)
 *           data-greeting="Hi! Ask me anything about SMP."    (first message, shown locally)
 *           data-retention="12 months"                        (how long chats are kept; optional)
 *           data-privacy-url="https://your-clinic.example/privacy"></script>
 *
 * The conversation lives in sessionStorage (session id, transcript, unsent messages), so it
 * survives reloads and navigation but not the end of the browser session. Every message has an
 * id; it is sent again after a reconnect until the server acknowledges it, and the server
 * (channels/socketio.py) handles it once and labels each reply, so nothing is lost or shown twice.
 * Everything is rendered with text nodes: nothing a user or the server sends becomes HTML.
 *
 * `io` (socket.io-client) and CSS_TEXT are supplied by scripts/build_widget.py.
 */
/* global io, CSS_TEXT */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) { return; }
  var config = {
    server: (script.getAttribute("data-server") || "").replace(/\/+$/, ""),
    clinic: script.getAttribute("data-clinic") || "our clinic",
    colour: script.getAttribute("data-colour") || "#1f4e5f",
    position: script.getAttribute("data-position") === "left" ? "left" : "right",
    greeting: script.getAttribute("data-greeting") || "",
    retention: script.getAttribute("data-retention") || "",
    privacyUrl: script.getAttribute("data-privacy-url") || ""
  };
  if (!/^https?:\/\//.test(config.server)) {
    console.error("SMP chat widget: data-server must be the http(s) URL of the chat server");
    return;
  }

  var ACK_TIMEOUT_MS = 60000;
  var MAX_TRANSCRIPT = 300;
  var STORAGE_KEY = "smp-chat:" + config.server;

  // --- State kept for this browser session --------------------------------------------------
  function freshState(privacyAccepted) {
    return { sessionId: null, transcript: [], pending: [], seen: [], privacyAccepted: !!privacyAccepted, open: false };
  }
  function load() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "null");
      if (saved && Array.isArray(saved.transcript) && Array.isArray(saved.pending)) { return saved; }
    } catch (error) { /* unreadable or blocked storage: start afresh */ }
    return freshState(false);
  }
  function save() {
    state.transcript = state.transcript.slice(-MAX_TRANSCRIPT);
    state.seen = state.seen.slice(-4 * MAX_TRANSCRIPT);
    try { window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state)); } catch (error) { /* private mode */ }
  }
  var state = load();

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- Colours: the text on the clinic colour is black or white, whichever contrasts more ---
  function luminance(hex) {
    var match = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
    if (!match) { return null; }
    var channels = [0, 2, 4].map(function (i) {
      var c = parseInt(match[1].substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }
  var colourLuminance = luminance(config.colour);
  if (colourLuminance === null) { config.colour = "#1f4e5f"; colourLuminance = luminance(config.colour); }
  var onColour = (1.05 / (colourLuminance + 0.05)) >= ((colourLuminance + 0.05) / 0.05) ? "#ffffff" : "#000000";

  // --- DOM helpers: text only, never innerHTML ------------------------------------------------
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attributes.text; } else { node.setAttribute(name, attributes[name]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }
  function safeUrl(url) {
    return /^(https?:\/\/|mailto:|tel:)/i.test(url) ? url : null;
  }
  function link(text, url) {
    return el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: text });
  }

  // Inline formatting: **bold**, [text](url) and bare http(s) links.
  var INLINE = /\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])/g;
  function inline(parent, text) {
    var last = 0;
    var match;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1] !== undefined) {
        parent.appendChild(el("strong", { text: match[1] }));
      } else if (match[2] !== undefined) {
        var url = safeUrl(match[3]);
        parent.appendChild(url ? link(match[2], url) : document.createTextNode(match[0]));
      } else {
        parent.appendChild(link(match[4], match[4]));
      }
      last = INLINE.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }

  // Block formatting: paragraphs, and lists whose lines start with "- ", "* ", "• " or "1. ".
  function formatted(text) {
    var container = document.createDocumentFragment();
    var list = null;
    var listType = null;
    var paragraph = null;
    String(text).split("\n").forEach(function (line) {
      var bullet = /^\s*(?:[-*•])\s+(.*)$/.exec(line);
      var number = /^\s*\d+[.)]\s+(.*)$/.exec(line);
      var item = bullet || number;
      if (item) {
        var type = bullet ? "ul" : "ol";
        if (!list || listType !== type) { list = el(type); listType = type; container.appendChild(list); }
        list.appendChild(inline(el("li"), item[1]));
        paragraph = null;
      } else if (line.trim() === "") {
        list = null; paragraph = null;
      } else {
        list = null;
        if (paragraph) { paragraph.appendChild(el("br")); } else { paragraph = el("p"); container.appendChild(paragraph); }
        inline(paragraph, line);
      }
    });
    return container;
  }

  // --- The widget's DOM, in a shadow root ---------------------------------------------------
  var host = el("div", { "data-smp-chat": "" });
  var shadow = host.attachShadow({ mode: "open" });
  if (typeof CSSStyleSheet === "function" && "adoptedStyleSheets" in shadow) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS_TEXT);
    shadow.adoptedStyleSheets = [sheet];
  } else {
    shadow.appendChild(el("style", { text: CSS_TEXT }));
  }
  var root = el("div", { "class": "root", "data-position": config.position });
  root.style.setProperty("--smp-colour", config.colour);
  root.style.setProperty("--smp-on-colour", onColour);
  shadow.appendChild(root);

  var launcher = el("button", {
    "class": "launcher", type: "button", "aria-expanded": "false", "aria-controls": "smp-chat-panel",
    text: "Chat with us"
  });
  var title = el("h2", { id: "smp-chat-title", text: config.clinic });
  var status = el("span", { "class": "status", text: "Connecting…" });
  title.appendChild(status);
  var restart = el("button", { type: "button", "class": "restart", text: "New conversation" });
  var close = el("button", { type: "button", "class": "close", "aria-label": "Close chat", text: "✕" });
  var offline = el("p", { "class": "offline", role: "status", hidden: "" });
  var privacy = el("div", { "class": "privacy" });
  var log = el("div", {
    "class": "log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": "Conversation", tabindex: "0"
  });
  var typing = el("div", { "class": "typing", hidden: "" }, [
    el("span", { "class": "sr-only", text: "The assistant is typing" }),
    el("span", { "aria-hidden": "true" }), el("span", { "aria-hidden": "true" }), el("span", { "aria-hidden": "true" })
  ]);
  var input = el("textarea", { id: "smp-chat-input", rows: "1", maxlength: "2000", "aria-label": "Your message", placeholder: "Type your question…" });
  var send = el("button", { type: "submit", text: "Send" });
  var composer = el("form", { "class": "composer" }, [input, send]);
  var panel = el("section", {
    "class": "panel", id: "smp-chat-panel", role: "dialog", "aria-labelledby": "smp-chat-title", hidden: ""
  }, [el("div", { "class": "header" }, [title, restart, close]), offline, privacy, log, composer]);
  root.appendChild(launcher);
  root.appendChild(panel);

  function buildPrivacy() {
    privacy.textContent = "";
    var intro = el("p", { text: "Hello! This chat answers questions about scalp micropigmentation at " + config.clinic +
      " and can help you arrange a consultation." });
    var kept = config.retention ? " for up to " + config.retention : "";
    var stored = el("p", { text: "What you type is stored by the clinic" + kept + " to answer you and, if you ask, to " +
      "arrange a consultation; a message the assistant misunderstood may also be used, without contact details, to " +
      "improve it. Say \"delete my data\" at any time to erase this chat. Please don't share health details unless " +
      "the assistant asks for them with your consent. " });
    var url = safeUrl(config.privacyUrl);
    if (url) { stored.appendChild(link("Read our privacy notice", url)); stored.appendChild(document.createTextNode(".")); }
    var accept = el("button", { type: "button", "class": "accept", text: "Start chatting" });
    accept.addEventListener("click", function () {
      state.privacyAccepted = true;
      if (!state.transcript.length && config.greeting) {
        addMessage({ from: "bot", id: "greeting", text: config.greeting });
      }
      save();
      showBody();
      input.focus();
    });
    privacy.appendChild(intro);
    privacy.appendChild(stored);
    privacy.appendChild(accept);
    return accept;
  }
  var acceptButton = buildPrivacy();

  function showBody() {
    privacy.hidden = state.privacyAccepted;
    log.hidden = !state.privacyAccepted;
    composer.hidden = !state.privacyAccepted;
  }

  // --- Rendering messages -------------------------------------------------------------------
  function renderMessage(entry) {
    var wrapper = el("div", { "class": "message " + entry.from });
    var bubble = el("div", { "class": "bubble " + entry.from });
    if (entry.from === "user") {
      bubble.appendChild(el("span", { "class": "sr-only", text: "You: " }));
      bubble.appendChild(el("p", { text: entry.text }));
    } else {
      bubble.appendChild(el("span", { "class": "sr-only", text: config.clinic + ": " }));
      if (entry.text) { bubble.appendChild(formatted(entry.text)); }
      var src = entry.image && safeUrl(entry.image);
      if (src) { bubble.appendChild(el("img", { src: src, alt: entry.imageAlt || "Picture from " + config.clinic, loading: "lazy" })); }
    }
    wrapper.appendChild(bubble);
    if (entry.buttons && entry.buttons.length) {
      var replies = el("div", { "class": "replies", role: "group", "aria-label": "Suggested replies" });
      entry.buttons.forEach(function (button) {
        var node = el("button", { type: "button", text: button.title });
        if (entry.answered) { node.disabled = true; }
        node.addEventListener("click", function () {
          entry.answered = true;
          replies.querySelectorAll("button").forEach(function (other) { other.disabled = true; });
          sendMessage(button.payload, button.title);
          input.focus();
        });
        replies.appendChild(node);
      });
      wrapper.appendChild(replies);
    }
    if (entry.failed) { wrapper.appendChild(el("span", { "class": "meta", text: "Not sent: " + entry.failed })); }
    return wrapper;
  }
  function addMessage(entry) {
    state.transcript.push(entry);
    log.insertBefore(renderMessage(entry), typing);
    log.scrollTop = log.scrollHeight;
  }
  function renderAll() {
    log.textContent = "";
    state.transcript.forEach(function (entry) { log.appendChild(renderMessage(entry)); });
    log.appendChild(typing);
    log.scrollTop = log.scrollHeight;
  }
  function notice(text) {
    log.insertBefore(el("p", { "class": "notice", text: text }), typing);
  }

  // Rasa's socket.io replies: {text}, {text, quick_replies}, {attachment: {type: "image", payload: {src}}}.
  function onBotMessage(message) {
    if (!message || typeof message !== "object") { return; }
    if (message.id) {
      if (state.seen.indexOf(message.id) !== -1) { return; }
      state.seen.push(message.id);
    }
    var entry = { from: "bot", id: message.id || null };
    if (typeof message.text === "string") { entry.text = message.text; }
    if (Array.isArray(message.quick_replies)) {
      entry.buttons = message.quick_replies.filter(function (reply) {
        return reply && typeof reply.title === "string" && typeof reply.payload === "string";
      }).map(function (reply) { return { title: reply.title, payload: reply.payload }; });
    }
    var attachment = message.attachment;
    if (attachment && attachment.type === "image" && attachment.payload && typeof attachment.payload.src === "string") {
      entry.image = attachment.payload.src;
    }
    if (!entry.text && !entry.image) { return; }
    addMessage(entry);
    save();
  }

  // --- Sending: one message in flight, acknowledged by the server, sent again after a reconnect ---
  var socket = io(config.server, { autoConnect: false, reconnectionDelayMax: 10000 });
  var online = false;
  var inFlight = null;

  function setTyping() {
    typing.hidden = !state.pending.length;
    if (!typing.hidden) { log.scrollTop = log.scrollHeight; }
  }
  function setOnline(value) {
    online = value;
    status.textContent = value ? "Online" : "Offline";
    offline.hidden = value;
    offline.textContent = value ? "" : "You're offline. We're reconnecting; your messages will be sent when the connection is back.";
  }

  function sendMessage(text, display) {
    text = String(text).trim();
    if (!text) { return; }
    state.pending.push({ message_id: newId(), message: text });
    addMessage({ from: "user", text: display || text });
    save();
    setTyping();
    flush();
  }

  function flush() {
    if (!online || inFlight || !state.pending.length || !state.sessionId) { setTyping(); return; }
    var item = state.pending[0];
    inFlight = item;
    setTyping();
    socket.timeout(ACK_TIMEOUT_MS).emit("user_uttered",
      { message: item.message, session_id: state.sessionId, message_id: item.message_id },
      function (error, ack) {
        if (inFlight !== item) { return; }      // a reconnect sent it again meanwhile
        inFlight = null;
        if (error) {                            // no answer in time: send it again (handled once)
          if (online) { window.setTimeout(flush, 1000); }
          return;
        }
        state.pending.shift();
        if (ack && ack.status === "refused") { notice("That message could not be sent: " + ack.error); }
        save();
        setTyping();
        flush();
      });
  }

  socket.on("connect", function () {
    socket.emit("session_request", { session_id: state.sessionId });
  });
  socket.on("session_confirm", function (sessionId) {
    var id = typeof sessionId === "string" ? sessionId : sessionId && sessionId.session_id;
    if (state.sessionId !== id) { state.sessionId = id; save(); }
    setOnline(true);
    inFlight = null;
    flush();
  });
  socket.on("disconnect", function () { inFlight = null; setOnline(false); });
  socket.on("connect_error", function () { setOnline(false); });
  socket.on("bot_uttered", onBotMessage);

  // --- Opening, closing, starting again -----------------------------------------------------
  function setOpen(open, focus) {
    state.open = open;
    save();
    panel.hidden = !open;
    root.classList.toggle("open", open);
    launcher.setAttribute("aria-expanded", String(open));
    if (open && !socket.connected && !socket.active) { socket.connect(); }
    if (open) {
      log.scrollTop = log.scrollHeight;
      if (focus) { (state.privacyAccepted ? input : acceptButton).focus(); }
    } else if (focus) {
      launcher.focus();
    }
  }
  launcher.addEventListener("click", function () { setOpen(panel.hidden, true); });
  close.addEventListener("click", function () { setOpen(false, true); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { setOpen(false, true); }
  });
  restart.addEventListener("click", function () {
    state = freshState(state.privacyAccepted);
    state.open = true;
    inFlight = null;
    if (config.greeting && state.privacyAccepted) {
      state.transcript.push({ from: "bot", id: "greeting", text: config.greeting });
    }
    save();
    renderAll();
    setTyping();
    notice("New conversation started.");
    // A new socket, so nothing from the old conversation's room arrives here.
    if (socket.active) { socket.disconnect(); socket.connect(); }
    (state.privacyAccepted ? input : acceptButton).focus();
  });
  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    sendMessage(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      composer.requestSubmit ? composer.requestSubmit() : composer.dispatchEvent(new Event("submit"));
    }
  });

  function start() {
    document.body.appendChild(host);
    showBody();
    renderAll();
    setTyping();
    setOnline(false);
    status.textContent = "Connecting…";
    offline.hidden = true;
    if (state.open || state.pending.length) { setOpen(state.open, false); }
    if (state.pending.length && !socket.active) { socket.connect(); }
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
