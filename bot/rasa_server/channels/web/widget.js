/*
 * The IVIG assistant's chat widget, on Rasa's socket.io channel (socket.io-client, served by
 * the same server). Every text is inserted as text, never as HTML; web addresses become links.
 * The session token the server issued (signed; a made-up or altered one is replaced by a new
 * one) stays in localStorage: the same conversation after a reload or a later visit. The
 * conversation's id is a hash of it the page never sees, and the server binds each socket to
 * the conversation it confirmed, so the token is what to keep private. The transcript shown
 * stays in sessionStorage only (gone when the tab closes).
 */
(function () {
  "use strict";

  var root = document.getElementById("ivig-chat");
  if (!root || typeof io !== "function") { return; }
  var script = document.currentScript;
  var server = script ? new URL(script.src, location.href).origin : location.origin;
  var SESSION_KEY = "ivig-chat-session";
  var LOG_KEY = "ivig-chat-log:";
  var TYPING_QUIET_MS = 700;
  var NO_REPLY_MS = 30000;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  root.classList.add("ivig-chat");
  var header = el("div", { "class": "ivig-chat__header", id: "ivig-chat-title" }, "IVIG assistant");
  var log = el("div", {
    "class": "ivig-chat__log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-labelledby": "ivig-chat-title", tabindex: "0"
  });
  var typing = el("div", { "class": "ivig-chat__typing", role: "status", "aria-live": "polite" });
  var form = el("form", { "class": "ivig-chat__form" });
  var label = el("label", { "for": "ivig-chat-input", "class": "visually-hidden" }, "Your message");
  var input = el("input", {
    id: "ivig-chat-input", type: "text", autocomplete: "off", maxlength: "2000",
    placeholder: "Type your question", disabled: "disabled"
  });
  var send = el("button", { type: "submit", disabled: "disabled" }, "Send");
  form.append(label, input, send);
  root.append(header, log, typing, form);

  var sessionId = null;
  try { sessionId = localStorage.getItem(SESSION_KEY); } catch (e) { sessionId = null; }
  var transcript = [];
  var quietTimer = null;
  var noReplyTimer = null;

  function linkify(parent, text) {
    var pattern = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      parent.append(document.createTextNode(text.slice(last, match.index)));
      var a = el("a", { href: match[0], target: "_blank", rel: "noopener noreferrer" }, match[0]);
      parent.append(a);
      last = match.index + match[0].length;
    }
    parent.append(document.createTextNode(text.slice(last)));
  }

  function render(entry, index) {
    var bubble = el("div", { "class": "ivig-msg ivig-msg--" + entry.from });
    var who = { bot: "Assistant: ", user: "You: ", notice: "Notice: " }[entry.from];
    bubble.append(el("span", { "class": "visually-hidden" }, who));
    linkify(bubble, entry.text || "");
    if (entry.buttons && entry.buttons.length) {
      var group = el("div", { "class": "ivig-options", role: "group", "aria-label": "Answer options" });
      entry.buttons.forEach(function (b) {
        var button = el("button", { type: "button" }, b.title);
        if (entry.answered) { button.disabled = true; }
        button.addEventListener("click", function () {
          transcript[index].answered = true;
          group.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
          say(b.payload, b.title);
          input.focus();
        });
        group.append(button);
      });
      bubble.append(group);
    }
    log.append(bubble);
    log.scrollTop = log.scrollHeight;
  }

  function save() {
    try { sessionStorage.setItem(LOG_KEY + sessionId, JSON.stringify(transcript.slice(-200))); } catch (e) { /* full or off */ }
  }

  function add(entry) {
    transcript.push(entry);
    render(entry, transcript.length - 1);
    save();
  }

  function setTyping(on) {
    typing.textContent = on ? "The assistant is typing…" : "";
    root.setAttribute("aria-busy", on ? "true" : "false");
  }

  function waitForReply() {
    setTyping(true);
    clearTimeout(noReplyTimer);
    noReplyTimer = setTimeout(function () {
      setTyping(false);
      add({ from: "notice", text: "No answer yet. Please check your connection and try again." });
    }, NO_REPLY_MS);
  }

  function say(message, shown) {
    if (!sessionId) { return; }
    if (shown !== null) { add({ from: "user", text: shown || message }); }
    socket.emit("user_uttered", { message: message, session_id: sessionId });
    waitForReply();
  }

  var socket = io(server, { path: "/socket.io", transports: ["websocket", "polling"] });

  socket.on("connect", function () {
    socket.emit("session_request", { session_id: sessionId });
  });

  socket.on("session_confirm", function (confirmed) {
    var id = typeof confirmed === "string" ? confirmed : (confirmed && confirmed.session_id);
    var fresh = id !== sessionId || transcript.length === 0;
    if (id !== sessionId) {
      sessionId = id;
      try { localStorage.setItem(SESSION_KEY, id); } catch (e) { /* private mode */ }
    }
    if (fresh) {
      log.textContent = "";
      var saved = [];
      try { saved = JSON.parse(sessionStorage.getItem(LOG_KEY + id) || "[]"); } catch (e) { saved = []; }
      transcript = saved;
      transcript.forEach(render);
      if (transcript.length === 0) { say("/greet", null); }
    }
    input.disabled = false;
    send.disabled = false;
  });

  socket.on("bot_uttered", function (message) {
    clearTimeout(noReplyTimer);
    var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
      return { title: String(b.title || ""), payload: String(b.payload || b.title || "") };
    });
    var text = message.text ? String(message.text) : "";
    if (message.attachment && message.attachment.payload && message.attachment.payload.src) {
      text = (text ? text + "\n" : "") + String(message.attachment.payload.src);
    }
    if (text || buttons.length) { add({ from: "bot", text: text, buttons: buttons }); }
    setTyping(true);
    clearTimeout(quietTimer);
    quietTimer = setTimeout(function () { setTyping(false); }, TYPING_QUIET_MS);
  });

  socket.on("disconnect", function () {
    typing.textContent = "Connection lost. Reconnecting…";
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      typing.textContent = "Please type a question first.";
      input.focus();
      return;
    }
    input.value = "";
    say(text, text);
  });
})();
