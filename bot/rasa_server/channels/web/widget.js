/*
 * The IVIG assistant's chat widget, embedded with one script tag:
 *
 *   <script src="https://<bot host>/webhooks/chat/widget.js" async></script>
 *
 * It draws itself inside an open shadow root on the element with id "ivig-chat" (made just
 * before the script tag when the page has none), loads its own styles (widget.css) into that
 * shadow root and socket.io-client from the same server, and leaves the page's styles and its
 * global `io` as they were. It talks to Rasa's socket.io channel on that server.
 *
 * It starts minimized to a launcher button ("Chat with us"), or open when its element has a
 * `data-open` attribute (chat.html, the bot's own page); opening or minimizing it is kept in
 * localStorage, so a reload shows it as it was. It connects only once it has been opened.
 * Without `data-open` (another site) the launcher and the open chat float in the bottom-right
 * corner of the window, over the page; with it the chat stays where its element is.
 * A bot message that comes while it is minimized shows on the launcher: a badge with the number
 * of them, "Chat with us, 2 new messages" as its name, and a polite announcement; opening it
 * clears them. The number is this page's only (not kept in storage): a reload starts from none.
 *
 * Every text is inserted as text, never as HTML; web addresses become links. The bot's words
 * come from the server: the replies over the socket, and the notice, the pharmacy's phone, name
 * and logo, and the privacy notice's and the article's addresses (webchat.py fills CONFIG below
 * when it serves this file; an address is used only when it is https or on the bot's server,
 * and only ever as an attribute). The widget itself only has short labels for its controls and
 * its connection states. A reply's source line ("Source: <article>, references 1, 8. ...")
 * shows as a short "Source" link to the article with the reference numbers folded away.
 *
 * The session token the server issued (signed; a made-up or altered one is replaced by a new
 * one) and the transcript shown are both kept in localStorage, so a reload or a new tab
 * continues the same conversation with its transcript, and /greet is sent only into a
 * conversation without one. The transcript is dropped after the server's session expiry
 * (CONFIG.keepMinutes without a message). One tab at a time holds the chat: opening it in
 * another tab pauses this one, with a button to take it back.
 *
 * Each message carries a client-made id (message_id); a message sent just before the
 * connection dropped is sent again after the reconnect with the same id.
 *
 * "Start over" (after a confirmation) forgets the session and its transcript and asks the
 * server for a new session, exactly as on a first visit.
 */
(function () {
  "use strict";

  var CONFIG = /*IVIG_WIDGET_CONFIG*/null || {};
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var base = new URL(".", script.src).href;
  var server = new URL(script.src).origin;
  var SESSION_KEY = "ivig-chat-session";
  var LOG_KEY = "ivig-chat-log:";
  var TAB_KEY = "ivig-chat-tab";
  var OPEN_KEY = "ivig-chat-open";
  var TYPING_QUIET_MS = 700;
  var NO_REPLY_MS = 30000;
  var RECONNECT_FAILURES_SHOWN = 3;
  var KEEP_MS = (Number(CONFIG.keepMinutes) || 240) * 60000;

  function newId() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") { return c.randomUUID(); }
    var bytes = new Uint8Array(16);
    if (c && typeof c.getRandomValues === "function") {
      c.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  // An address from CONFIG, when it is https or on the bot's own server; "" otherwise.
  function safeUrl(value) {
    if (!value) { return ""; }
    var url;
    try { url = new URL(String(value), server); } catch (e) { return ""; }
    return url.protocol === "https:" || url.origin === server ? url.href : "";
  }

  function store(method, key, value) {
    try { return localStorage[method](key, value); } catch (e) { return null; }  // off or full
  }

  // socket.io-client from the bot's server, without leaving its `io` on the host page.
  function loadSocketIo(done) {
    var had = Object.prototype.hasOwnProperty.call(window, "io");
    var previous = window.io;
    var tag = document.createElement("script");
    tag.src = base + "socket.io.min.js";
    tag.async = true;
    tag.onload = function () {
      var lib = window.io;
      if (had) { window.io = previous; } else { try { delete window.io; } catch (e) { window.io = undefined; } }
      done(typeof lib === "function" ? lib : null);
    };
    tag.onerror = function () { done(null); };
    (document.head || document.documentElement).appendChild(tag);
  }

  function mount() {
    var host = document.getElementById("ivig-chat");
    if (!host) {
      host = el("section", { id: "ivig-chat" });
      if (script.parentNode && script.parentNode !== document.head) {
        script.parentNode.insertBefore(host, script);
      } else {
        document.body.appendChild(host);
      }
    }
    if (host.shadowRoot || typeof host.attachShadow !== "function") { return; }
    if (!host.hasAttribute("aria-label")) { host.setAttribute("aria-label", "Chat with the IVIG assistant"); }
    start(host);
  }

  function start(host) {
    var shadow = host.attachShadow({ mode: "open" });
    var sheet = el("link", { rel: "stylesheet", href: base + "widget.css" });
    var floating = !host.hasAttribute("data-open");
    var wrap = el("div", { "class": floating ? "ivig-wrap ivig-wrap--floating" : "ivig-wrap", hidden: "hidden" });
    function reveal() { wrap.removeAttribute("hidden"); }
    sheet.addEventListener("load", reveal);
    sheet.addEventListener("error", reveal);

    var launcher = el("button", {
      type: "button", "class": "ivig-launcher", "aria-expanded": "false", "aria-controls": "ivig-chat-window"
    }, "Chat with us");
    var badge = el("span", { "class": "ivig-launcher__badge", "aria-hidden": "true", hidden: "hidden" });
    launcher.append(badge);
    // Outside the chat window, which is hidden while the new messages come.
    var unreadNote = el("div", { "class": "ivig-unread visually-hidden", "aria-live": "polite" });
    var root = el("div", { "class": "ivig-chat", id: "ivig-chat-window", hidden: "hidden" });
    var header = el("div", { "class": "ivig-chat__header" });
    var brandName = CONFIG.brandName ? String(CONFIG.brandName) : "";
    var logoUrl = safeUrl(CONFIG.logoUrl);
    if (brandName || logoUrl) {
      var brand = el("div", { "class": "ivig-chat__brand" });
      if (logoUrl) {
        var logo = el("img", { "class": "ivig-chat__logo", alt: "", src: logoUrl });
        logo.addEventListener("error", function () { logo.remove(); });
        brand.append(logo);
      }
      if (brandName) { brand.append(el("span", {}, brandName)); }
      header.append(brand);
    }
    var title = el("span", { "class": "ivig-chat__title", id: "ivig-chat-title" }, "IVIG assistant");
    var tools = el("div", { "class": "ivig-chat__tools" });
    var restart = el("button", { type: "button", disabled: "disabled" }, "Start over");
    var minimize = el("button", { type: "button", "aria-controls": "ivig-chat-window" }, "Minimize");
    tools.append(restart, minimize);
    header.append(title, tools);
    var notice = null;
    if (CONFIG.notice) {
      notice = el("p", { "class": "ivig-chat__notice" });
      notice.append(el("span", { "class": "ivig-chat__notice-text" }, String(CONFIG.notice)));
      var privacyUrl = safeUrl(CONFIG.privacyUrl);
      if (privacyUrl) {
        notice.append(document.createTextNode(" "), el("a", {
          href: privacyUrl, target: "_blank", rel: "noopener noreferrer"
        }, "Privacy notice"));
      }
    }
    var articleUrl = safeUrl(CONFIG.articleUrl);
    var log = el("div", {
      "class": "ivig-chat__log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
      "aria-labelledby": "ivig-chat-title", tabindex: "0"
    });
    var panel = el("div", { "class": "ivig-chat__panel", hidden: "hidden" });
    var confirm = el("div", {
      "class": "ivig-chat__confirm", role: "group", "aria-labelledby": "ivig-chat-confirm", hidden: "hidden"
    });
    var confirmYes = el("button", { type: "button" }, "Yes, start over");
    var confirmNo = el("button", { type: "button", "class": "is-secondary" }, "No, go back");
    confirm.append(el("p", { id: "ivig-chat-confirm" }, "Start a new chat? The messages here will be cleared."),
      confirmYes, confirmNo);
    var typing = el("div", { "class": "ivig-chat__typing", role: "status", "aria-live": "polite" });
    var form = el("form", { "class": "ivig-chat__form" });
    var label = el("label", { "for": "ivig-chat-input", "class": "visually-hidden" }, "Your message");
    var input = el("input", {
      id: "ivig-chat-input", type: "text", autocomplete: "off", maxlength: "2000",
      placeholder: "Type your question", disabled: "disabled"
    });
    var send = el("button", { type: "submit", disabled: "disabled" }, "Send");
    form.append(label, input, send);
    root.append(header);
    if (notice) { root.append(notice); }
    root.append(log, confirm, panel, typing, form);
    wrap.append(launcher, unreadNote, root);
    shadow.append(sheet, wrap);

    // A link to #ivig-chat (the page's skip link) lands in the message box, or on the launcher.
    host.setAttribute("tabindex", "-1");
    host.addEventListener("focus", function (event) {
      if (event.target !== host || shadow.activeElement) { return; }
      if (!isOpen) { launcher.focus(); } else if (!input.disabled) { input.focus(); }
    });

    var saidOpen = store("getItem", OPEN_KEY);
    var isOpen = saidOpen === null ? host.hasAttribute("data-open") : saidOpen === "1";
    var begun = false;
    var focusWhenReady = false;
    var tabId = newId();
    var state = "idle";
    var failures = 0;
    var socket = null;
    var sessionId = store("getItem", SESSION_KEY);
    var transcript = [];
    var outbox = [];  // messages sent and not yet answered: {message, message_id}
    var replyOpen = false;
    var replyStart = null;
    var quietTimer = null;
    var noReplyTimer = null;
    var unread = 0;  // bot messages that came while minimized
    var unreadTimer = null;

    function linkify(parent, text) {
      var pattern = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g;
      var last = 0;
      var match;
      while ((match = pattern.exec(text)) !== null) {
        parent.append(document.createTextNode(text.slice(last, match.index)));
        parent.append(el("a", { href: match[0], target: "_blank", rel: "noopener noreferrer" }, match[0]));
        last = match.index + match[0].length;
      }
      parent.append(document.createTextNode(text.slice(last)));
    }

    // "Source: IVIG and Myositis (...), references 1, 8. <the team's labels>": a "Source" link
    // to the article (plain text without ARTICLE_URL), the numbers in a closed <details>.
    var SOURCE_LINE = /(^|\n)Source: ([^\n]+)/;
    var ARTICLE_REFS = /^(.+?), (references? \d+(?:, \d+)*)\.(?:\s+(.*))?$/;

    function sourceLine(line) {
      var box = el("div", { "class": "ivig-source" });
      var parts = ARTICLE_REFS.exec(line);
      if (!parts) {  // the team's own words only: the line as it is
        linkify(box, "Source: " + line);
        return box;
      }
      var name = articleUrl
        ? el("a", { href: articleUrl, target: "_blank", rel: "noopener noreferrer" }, "Source")
        : el("span", { "class": "ivig-source__name" }, "Source");
      name.append(el("span", { "class": "visually-hidden" }, " from the article " + parts[1]));
      var refs = el("details", { "class": "ivig-source__refs" });
      refs.append(el("summary", {}, "References"), el("p", {}, parts[1] + ", " + parts[2] + "."));
      box.append(name, refs);
      if (parts[3]) { box.append(el("p", { "class": "ivig-source__more" }, parts[3])); }
      return box;
    }

    function fillText(bubble, from, text) {
      var found = from === "bot" ? SOURCE_LINE.exec(text) : null;
      if (!found) { linkify(bubble, text); return; }
      var start = found.index + found[1].length;
      linkify(bubble, text.slice(0, start).replace(/\n+$/, ""));
      bubble.append(sourceLine(found[2]));
      var rest = text.slice(found.index + found[0].length).replace(/^\n+/, "");
      if (rest) {
        var after = el("div", { "class": "ivig-source__after" });
        linkify(after, rest);
        bubble.append(after);
      }
    }

    function render(entry) {
      var bubble = el("div", { "class": "ivig-msg ivig-msg--" + entry.from });
      var who = { bot: "Assistant: ", user: "You: ", notice: "Notice: " }[entry.from] || "";
      bubble.append(el("span", { "class": "visually-hidden" }, who));
      fillText(bubble, entry.from, entry.text || "");
      if (entry.buttons && entry.buttons.length) {
        var group = el("div", { "class": "ivig-options", role: "group", "aria-label": "Answer options" });
        entry.buttons.forEach(function (b) {
          var button = el("button", { type: "button" }, b.title);
          if (entry.closed) { button.disabled = true; }
          button.addEventListener("click", function () {
            if (button.disabled || !say(b.payload, b.title)) { return; }
            button.classList.add("is-chosen");
            input.focus();
          });
          group.append(button);
        });
        bubble.append(group);
      }
      log.append(bubble);
      return bubble;
    }

    function scrollToEnd() { log.scrollTop = log.scrollHeight; }

    // A reply longer than the view starts at its first bubble (its headline), not its end.
    function scrollToReply() {
      if (!replyStart) { scrollToEnd(); return; }
      var top = Math.max(0, replyStart.offsetTop - 8);
      if (log.scrollHeight - top > log.clientHeight) { log.scrollTop = top; } else { scrollToEnd(); }
    }

    function load() {
      if (!sessionId) { return []; }
      var saved = null;
      try { saved = JSON.parse(localStorage.getItem(LOG_KEY + sessionId) || "null"); } catch (e) { saved = null; }
      if (!saved) {  // an older widget kept it in sessionStorage
        try {
          var old = JSON.parse(sessionStorage.getItem(LOG_KEY + sessionId) || "null");
          if (Array.isArray(old)) { saved = { saved: Date.now(), entries: old }; }
        } catch (e) { saved = null; }
      }
      if (!saved || !Array.isArray(saved.entries)) { return []; }
      if (Date.now() - Number(saved.saved || 0) > KEEP_MS) {
        store("removeItem", LOG_KEY + sessionId);
        return [];
      }
      return saved.entries;
    }

    function save() {
      if (!sessionId || state === "elsewhere") { return; }
      store("setItem", LOG_KEY + sessionId, JSON.stringify({ saved: Date.now(), entries: transcript.slice(-200) }));
    }

    function show(entries) {
      transcript = entries;
      log.textContent = "";
      transcript.forEach(render);
      scrollToEnd();
    }

    function add(entry) {
      transcript.push(entry);
      var bubble = render(entry);
      save();
      return bubble;
    }

    // Older answer options stop working once they are used or a newer reply comes.
    function closeButtons() {
      var changed = false;
      transcript.forEach(function (entry) {
        if (entry.buttons && entry.buttons.length && !entry.closed) { entry.closed = true; changed = true; }
      });
      var focused = shadow.activeElement;
      log.querySelectorAll(".ivig-options button").forEach(function (b) { b.disabled = true; });
      if (focused && focused.closest && focused.closest(".ivig-options")) { input.focus(); }
      if (changed) { save(); }
    }

    function setStatus(text, isError) {
      typing.textContent = text;
      typing.classList.toggle("is-error", !!isError);
    }

    function setTyping(on) {
      if (state !== "ready") { return; }
      setStatus(on ? "The assistant is typing…" : "");
      root.setAttribute("aria-busy", on ? "true" : "false");
    }

    function fillPanel(lines, buttonText, onClick, withPhone) {
      panel.textContent = "";
      lines.forEach(function (line) { panel.append(el("p", {}, line)); });
      var button = el("button", { type: "button" }, buttonText);
      button.addEventListener("click", onClick);
      panel.append(button);
      var phone = withPhone && CONFIG.phone ? String(CONFIG.phone) : "";
      if (phone) {
        var call = el("p", {}, "You can also call us at ");
        call.append(el("a", { href: "tel:" + phone.replace(/[^0-9+]/g, "") }, phone), document.createTextNode("."));
        panel.append(call);
      }
      panel.removeAttribute("hidden");
    }

    function setState(next) {
      var hadFocus = panel.contains(shadow.activeElement);
      if (next === state && next === "offline" && !panel.hidden) { return; }  // still offline
      state = next;
      root.setAttribute("data-state", next);
      root.setAttribute("aria-busy", "false");
      input.disabled = !(next === "ready" || next === "reconnecting");
      send.disabled = next !== "ready";
      restart.disabled = next !== "ready";
      if (next !== "ready") { hideConfirm(false); }
      if (next === "ready") {
        panel.setAttribute("hidden", "hidden");
        panel.textContent = "";
        setStatus("");
        // The focus waited on the log (opened, or started over) and has not moved away since.
        if (hadFocus || (focusWhenReady && shadow.activeElement === log)) { input.focus(); }
        focusWhenReady = false;
      } else if (next === "connecting") {
        setStatus("Connecting to the chat…");
      } else if (next === "reconnecting") {
        panel.setAttribute("hidden", "hidden");
        setStatus("Connection lost. Reconnecting…");
      } else if (next === "offline") {
        setStatus("Can't connect to the chat right now.", true);
        fillPanel(["Please check your internet connection, or try again in a few minutes."],
          "Try again", retry, true);
        if (hadFocus) { panel.querySelector("button").focus(); }
      } else if (next === "elsewhere") {
        setStatus("This chat is open in another tab.");
        fillPanel([], "Use the chat here", takeBack, false);
      }
    }

    function emit(item) {
      socket.emit("user_uttered", { message: item.message, session_id: sessionId, message_id: item.message_id });
    }

    function waitForReply() {
      setTyping(true);
      clearTimeout(noReplyTimer);
      noReplyTimer = setTimeout(function () {
        setTyping(false);
        add({ from: "notice", text: "No answer yet. Please check your connection and try again." });
        scrollToEnd();
      }, NO_REPLY_MS);
    }

    function say(message, shown) {
      if (state !== "ready" || !sessionId || !socket) { return false; }
      closeButtons();
      replyOpen = false;
      if (shown !== null) { add({ from: "user", text: shown || message }); scrollToEnd(); }
      var item = { message: message, message_id: newId() };
      outbox.push(item);
      emit(item);
      waitForReply();
      return true;
    }

    function claimTab() { store("setItem", TAB_KEY, tabId); }

    function retry() {
      failures = 0;
      setStatus("Connecting to the chat…");
      state = "retrying";  // the next failure shows (and announces) the offline state again
      socket.disconnect();
      socket.connect();
    }

    function takeBack() {
      claimTab();
      sessionId = store("getItem", SESSION_KEY) || sessionId;
      show(load());
      failures = 0;
      setState("connecting");
      input.focus();
      socket.connect();
    }

    // "Start over": a question first, then a new session from the server (as on a first visit).
    function askStartOver() {
      if (state !== "ready") { return; }
      confirm.removeAttribute("hidden");
      confirmYes.focus();
    }

    function hideConfirm(refocus) {
      if (confirm.hidden) { return; }
      var hadFocus = confirm.contains(shadow.activeElement);
      confirm.setAttribute("hidden", "hidden");
      if (refocus && hadFocus) { restart.focus(); }
    }

    function startOver() {
      confirm.setAttribute("hidden", "hidden");
      if (state !== "ready" || !socket) { return; }
      clearTimeout(noReplyTimer);
      clearTimeout(quietTimer);
      outbox = [];
      replyOpen = false;
      replyStart = null;
      if (sessionId) { store("removeItem", LOG_KEY + sessionId); }
      store("removeItem", SESSION_KEY);
      sessionId = null;
      show([]);
      focusWhenReady = true;
      log.focus();  // until the new chat is ready: the button that had the focus is gone
      setState("connecting");
      socket.emit("session_request", { session_id: null });
    }

    restart.addEventListener("click", askStartOver);
    confirmYes.addEventListener("click", startOver);
    confirmNo.addEventListener("click", function () { hideConfirm(true); });

    function unreadText() { return unread === 1 ? "1 new message" : unread + " new messages"; }

    function showUnread() {
      if (unread) {
        badge.textContent = unread > 99 ? "99+" : String(unread);
        badge.removeAttribute("hidden");
        launcher.setAttribute("aria-label", "Chat with us, " + unreadText());
      } else {
        badge.setAttribute("hidden", "hidden");
        badge.textContent = "";
        launcher.removeAttribute("aria-label");
      }
    }

    // Announced once a reply's messages have all come, not once for each of them.
    function countUnread() {
      unread += 1;
      showUnread();
      clearTimeout(unreadTimer);
      unreadTimer = setTimeout(function () {
        unreadNote.textContent = unreadText() + " from the IVIG assistant";
      }, TYPING_QUIET_MS);
    }

    function clearUnread() {
      unread = 0;
      clearTimeout(unreadTimer);
      unreadNote.textContent = "";
      showUnread();
    }

    // The launcher opens it (and connects, the first time); Minimize or Escape closes it.
    function showOpen() {
      launcher.setAttribute("aria-expanded", isOpen ? "true" : "false");
      wrap.classList.toggle("is-open", isOpen);
      if (isOpen) {
        launcher.setAttribute("hidden", "hidden");
        root.removeAttribute("hidden");
      } else {
        root.setAttribute("hidden", "hidden");
        launcher.removeAttribute("hidden");
      }
    }

    function setOpen(next) {
      isOpen = next;
      store("setItem", OPEN_KEY, next ? "1" : "0");
      if (!next) { hideConfirm(false); } else { clearUnread(); }
      showOpen();
      if (next) {
        if (!input.disabled) { input.focus(); } else { focusWhenReady = true; log.focus(); }
        begin();
      } else {
        launcher.focus();
      }
    }

    launcher.addEventListener("click", function () { setOpen(true); });
    minimize.addEventListener("click", function () { setOpen(false); });
    root.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      event.preventDefault();
      if (!confirm.hidden) { hideConfirm(true); } else { setOpen(false); }
    });

    window.addEventListener("storage", function (event) {
      if (!begun) { return; }
      if (event.key === TAB_KEY && event.newValue && event.newValue !== tabId && state !== "elsewhere") {
        clearTimeout(noReplyTimer);
        outbox = [];  // the other tab gets their replies now, and shows them
        clearUnread();
        setState("elsewhere");
        if (socket) { socket.disconnect(); }
      }
    });

    show(load());
    showOpen();
    if (isOpen) { begin(); }

    function begin() {
      if (begun) { return; }
      begun = true;
      claimTab();
      setState("connecting");
      loadSocketIo(connect);
    }

    function connect(io) {
      if (!io) { setState("offline"); return; }
      socket = io(server, {
        path: "/socket.io", transports: ["websocket", "polling"], autoConnect: false,
        reconnectionDelayMax: 10000
      });

      socket.on("connect", function () {
        socket.emit("session_request", { session_id: sessionId });
      });

      socket.on("connect_error", function () {
        if (state === "elsewhere") { return; }
        failures += 1;
        if (state !== "reconnecting" || failures >= RECONNECT_FAILURES_SHOWN) {
          setState("offline");
        }
      });

      socket.on("session_confirm", function (confirmed) {
        if (state === "elsewhere") { return; }
        var id = typeof confirmed === "string" ? confirmed : (confirmed && confirmed.session_id);
        if (!id) { return; }
        failures = 0;
        if (id !== sessionId) {  // a new conversation: the first visit, or a token not accepted
          if (sessionId) { store("removeItem", LOG_KEY + sessionId); }
          sessionId = id;
          store("setItem", SESSION_KEY, id);
          outbox = [];
          show([]);
        }
        setState("ready");
        if (transcript.length === 0 && outbox.length === 0) {
          say("/greet", null);
        } else if (outbox.length) {
          outbox.forEach(emit);  // sent just before the connection dropped: the same ids again
          waitForReply();
        }
      });

      socket.on("bot_uttered", function (message) {
        if (state === "elsewhere") { return; }
        clearTimeout(noReplyTimer);
        outbox.shift();
        var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
          return { title: String(b.title || ""), payload: String(b.payload || b.title || "") };
        });
        var text = message.text ? String(message.text) : "";
        if (message.attachment && message.attachment.payload && message.attachment.payload.src) {
          text = (text ? text + "\n" : "") + String(message.attachment.payload.src);
        }
        if (text || buttons.length) {
          if (!replyOpen) { closeButtons(); replyOpen = true; replyStart = null; }
          var bubble = add({ from: "bot", text: text, buttons: buttons });
          if (!replyStart) { replyStart = bubble; }
          scrollToReply();
          if (!isOpen) { countUnread(); }
        }
        setTyping(true);
        clearTimeout(quietTimer);
        quietTimer = setTimeout(function () { replyOpen = false; setTyping(false); }, TYPING_QUIET_MS);
      });

      socket.on("disconnect", function (reason) {
        if (state === "elsewhere") { return; }
        clearTimeout(noReplyTimer);
        failures = 0;
        setState("reconnecting");
        if (reason === "io server disconnect") { socket.connect(); }
      });

      window.addEventListener("online", function () {
        if (state === "offline") { retry(); }
      });

      socket.connect();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (state !== "ready") { return; }
      var text = input.value.trim();
      if (!text) {
        setStatus("Please type a question first.");
        input.focus();
        return;
      }
      input.value = "";
      say(text, text);
    });
  }

  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
