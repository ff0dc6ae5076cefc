/*
 * The agent console: the agent sends what the caller says; the reply is a script to read out,
 * and the side panel shows the call's screening answers, outcome, safety flags and referral.
 * A reload mid-call asks the server for the call's script again (only this session's calls).
 * The caller's name and contact, as typed for a handoff, stay in this tab's sessionStorage for
 * the call (the server forgets them once the referral holds them); they are never logged.
 * After the handoff the agent's notes and wrap-up are saved with the referral (the draft stays
 * in sessionStorage until the call ends, so a reload keeps it).
 * All text is inserted as text. The session cookie is HttpOnly; this script never sees it.
 */
(function () {
  "use strict";
  var BASE = "/webhooks/agent";
  var CALL_KEY = "ivig-agent-call";
  var STARTED_KEY = "ivig-agent-call-started";
  var DETAILS_KEY = "ivig-agent-caller";
  var NOTES_KEY = "ivig-agent-notes";
  var KEYS = [CALL_KEY, STARTED_KEY, DETAILS_KEY, NOTES_KEY];
  // The slots of the handoff form whose typed answer the panel shows after the handoff.
  var DETAIL_OF = { contact_name: "name", contact_phone: "contact", contact_email: "contact" };
  var DOSE = /\d+(?:\.\d+)?\s*(?:g|mg|mL)\b.*\bper\s+kg\b/i;
  var $ = function (id) { return document.getElementById(id); };
  var call = sessionStorage.getItem(CALL_KEY);
  var settings = { emergency_number: "", transfer_number: "", quick_topics: [], wrap_ups: [] };
  var asking = null;
  var waiting = false;
  var lastPanel = null;
  var ticking = null;
  var searchTimer = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function api(path, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    return fetch(BASE + path, options).then(function (r) {
      if (r.status === 401) { location.href = BASE + "/login"; throw new Error("signed out"); }
      if (!r.ok) { var e = new Error("HTTP " + r.status); e.status = r.status; throw e; }
      return r.json();
    });
  }

  // ------------------------------------------------------------------ copying
  function copy(text, what) {
    var done = function () { $("copied").textContent = what + " copied."; };
    var fallback = function () {
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.append(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) { done(); } else { $("copied").textContent = "Could not copy. Select the text instead."; }
    };
    $("copied").textContent = "";
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  function copyButton(label, text, what) {
    var button = el("button", "secondary copy", label);
    button.type = "button";
    button.addEventListener("click", function () { copy(text, what); });
    return button;
  }

  function doseLines(text) {
    return text.replace(/^[^:]{0,40}:\s*/, "").split(/(?<=[.!?])\s+/)
      .filter(function (s) { return DOSE.test(s); });
  }

  // ------------------------------------------------------------------ the script
  function numbers(kind) {
    var box = el("div", "numbers");
    box.setAttribute("role", "note");
    box.setAttribute("aria-label", "Center numbers");
    box.append(el("p", "numbers__title", kind === "self_harm"
      ? "Stay with the caller. Center numbers:" : "Center numbers:"));
    [["Emergency line", settings.emergency_number, "AGENT_EMERGENCY_NUMBER"],
      ["Transfer line", settings.transfer_number, "AGENT_TRANSFER_NUMBER"]].forEach(function (row) {
      var p = el("p", "numbers__row", row[0] + ": ");
      if (row[1]) {
        var link = el("a", null, row[1]);
        link.href = "tel:" + row[1].replace(/[^0-9+]/g, "");
        p.append(link);
      } else {
        p.append("not set (ask your supervisor to set " + row[2] + ")");
      }
      box.append(p);
    });
    return box;
  }

  function line(kind, text, buttons, alert) {
    var node = el("div", "line line--" + kind);
    node.append(el("span", "line__text", text));
    if (kind === "bot" && alert) { node.append(numbers(alert)); }
    var doses = kind === "bot" ? doseLines(text) : [];
    if (doses.length) { node.append(copyButton("Copy dose lines", doses.join("\n"), "Dose lines")); }
    if (buttons && buttons.length) {
      var group = el("div", "options");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "The caller's answer");
      buttons.forEach(function (b) {
        var button = el("button", "option");
        button.type = "button";
        button.append(el("span", "option__title", b.title));
        button.addEventListener("click", function () { send(b.payload, b.title); });
        group.append(button);
      });
      node.append(group);
    }
    $("script").append(node);
    $("script").scrollTop = $("script").scrollHeight;
  }

  function openOptions() {
    return Array.prototype.slice.call(document.querySelectorAll(".options button:not(:disabled)"));
  }

  function closeOptions() {
    var open = openOptions();
    open.forEach(function (b) {
      b.disabled = true;
      b.removeAttribute("aria-keyshortcuts");
      var key = b.querySelector(".key");
      if (key) { key.remove(); }
    });
    return open;
  }

  // The pending question's options get the keys 1 to 9.
  function numberOptions(buttons) {
    (buttons || openOptions()).forEach(function (b, i) {
      b.disabled = false;
      if (i >= 9 || b.querySelector(".key")) { return; }
      var key = el("span", "key", String(i + 1));
      key.setAttribute("aria-hidden", "true");
      b.prepend(key);
      b.setAttribute("aria-keyshortcuts", String(i + 1));
    });
  }

  // ------------------------------------------------------------------ the panel
  function details() {
    try {
      var found = JSON.parse(sessionStorage.getItem(DETAILS_KEY) || "null");
      return found && found.call === call ? found : null;
    } catch (e) { return null; }
  }

  function keepDetail(field, value) {
    var kept = details() || { call: call };
    kept[field] = value;
    sessionStorage.setItem(DETAILS_KEY, JSON.stringify(kept));
  }

  function showPanel(panel) {
    lastPanel = panel;
    asking = panel.asking || null;
    var flags = $("flags");
    flags.textContent = "";
    if (!panel.safety_flags.length) { flags.append(el("li", null, "None")); }
    panel.safety_flags.forEach(function (f) { flags.append(el("li", "flag", f.label)); });

    var answers = $("answers");
    answers.textContent = "";
    answers.hidden = !panel.answers.length;
    $("answers-none").hidden = Boolean(panel.answers.length);
    panel.answers.forEach(function (a) {
      answers.append(el("dt", null, a.question), el("dd", null, a.answer));
    });

    var outcome = $("outcome");
    outcome.textContent = "";
    if (!panel.outcome) {
      outcome.textContent = panel.in_screening ? "Screening in progress" : "Not finished";
    } else {
      panel.outcome.outcomes.forEach(function (o) {
        outcome.append(el("p", "outcome-title", o.title));
        var reasons = el("ul");
        o.reasons.forEach(function (r) { reasons.append(el("li", null, r)); });
        outcome.append(reasons);
      });
    }
    var ref = panel.referral;
    $("referral").textContent = ref.reference ? "Created, reference " + ref.reference : ref.status;
    $("handoff").disabled = waiting || !call || Boolean(ref.reference);
    $("copy-reference").hidden = !ref.reference;
    var kept = ref.reference ? details() : null;
    $("caller-details").hidden = !kept;
    if (kept) {
      $("caller-name").textContent = kept.name || "(not typed in this tab)";
      $("caller-contact").textContent = kept.contact || "(not typed in this tab)";
    }
    $("copy-summary").disabled = !call;
    showNotes();
  }

  // ------------------------------------------------------------------ call notes
  function draft() {
    try {
      var found = JSON.parse(sessionStorage.getItem(NOTES_KEY) || "null");
      return found && found.call === call ? found : null;
    } catch (e) { return null; }
  }

  function keepDraft() {
    sessionStorage.setItem(NOTES_KEY, JSON.stringify(
      { call: call, notes: $("call-notes").value, wrap_up: $("wrap-up").value }));
  }

  function showNotes() {
    var ref = lastPanel ? lastPanel.referral : {};
    var open = Boolean(call && ref.reference);
    $("wrap-up").disabled = !open || waiting;
    $("call-notes").disabled = !open || waiting;
    $("save-notes").disabled = !open || waiting;
    $("notes-saved").textContent = ref.wrap_up ? "Saved with " + ref.reference + ": " + ref.wrap_up : "";
    $("notes-hint").textContent = open
      ? "Saved with referral " + ref.reference + " and sent to the specialist team."
      : "Notes are saved with the referral: create the specialist handoff first.";
  }

  function restoreDraft() {
    var kept = draft();
    $("call-notes").value = kept ? kept.notes || "" : "";
    $("wrap-up").value = kept ? kept.wrap_up || "" : "";
  }

  function saveNotes() {
    if (!$("wrap-up").value) {
      $("notes-status").textContent = "Choose a wrap-up first.";
      $("wrap-up").focus();
      return;
    }
    $("notes-status").textContent = "";
    post("/notes", { call: call, notes: $("call-notes").value, wrap_up: $("wrap-up").value },
      "(agent: saved call notes)");
  }

  function summary() {
    var panel = lastPanel;
    var out = ["IVIG call summary"];
    out.push("Screening answers:");
    if (!panel.answers.length) { out.push("- none"); }
    panel.answers.forEach(function (a) { out.push("- " + a.question + ": " + a.answer); });
    if (panel.outcome) {
      panel.outcome.outcomes.forEach(function (o) {
        out.push("Outcome: " + o.title);
        o.reasons.forEach(function (r) { out.push("- " + r); });
      });
    } else {
      out.push("Outcome: " + (panel.in_screening ? "screening in progress" : "not finished"));
    }
    out.push("Safety flags: " + (panel.safety_flags.length
      ? panel.safety_flags.map(function (f) { return f.label; }).join("; ") : "none"));
    var ref = panel.referral;
    out.push("Specialist handoff: " + (ref.reference ? "reference " + ref.reference : ref.status));
    if (ref.wrap_up) { out.push("Wrap-up: " + ref.wrap_up); }
    return out.join("\n");
  }

  // ------------------------------------------------------------------ sending
  function busy(on) {
    waiting = on;
    $("busy").textContent = on ? "Waiting for the script…" : "";
    $("caller-said").disabled = on || !call;
    document.querySelector("#said button").disabled = on || !call;
    $("topic-search").disabled = !call;
    document.querySelectorAll(".topic").forEach(function (b) { b.disabled = on || !call; });
    if (lastPanel) { $("handoff").disabled = on || !call || Boolean(lastPanel.referral.reference); }
    showNotes();
  }

  function send(message, shown) {
    if (!call || waiting) { return; }
    if (DETAIL_OF[asking] && !shown) { keepDetail(DETAIL_OF[asking], message); }
    post("/webhook", { call: call, message: message }, shown || message);
  }

  // One turn: the line the console shows for it, then the script's reply and the panel.
  function post(path, body, shown) {
    if (!call || waiting) { return; }
    var reopen = closeOptions();
    line("caller", shown);
    busy(true);
    api(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (reply) {
      reply.messages.forEach(function (m, i) {
        line("bot", m.text || "", m.buttons || [], i === 0 ? reply.alert : null);
      });
      showPanel(reply.panel);
      numberOptions();
    }).catch(function (err) {
      line("bot", "The assistant did not answer (" + err.message + "). Try again.");
      numberOptions(reopen);
    }).then(function () { busy(false); $("caller-said").focus(); });
  }

  // ------------------------------------------------------------------ the call
  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    var h = Math.floor(s / 3600);
    return (h ? h + ":" : "") + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
  }

  function startTimer(started) {
    clearInterval(ticking);
    var tick = function () { $("call-timer").textContent = clock(Date.now() / 1000 - started); };
    tick();
    ticking = setInterval(tick, 1000);
  }

  function startCall(id, started) {
    call = id;
    sessionStorage.setItem(CALL_KEY, id);
    if (started) { sessionStorage.setItem(STARTED_KEY, String(started)); startTimer(started); }
    $("call-label").textContent = "Call " + id.slice(0, 8);
    $("handoff").disabled = false;
    $("copy-summary").disabled = false;
    busy(false);
  }

  function forgetCall() {
    KEYS.forEach(function (k) { sessionStorage.removeItem(k); });
    call = null;
    clearInterval(ticking);
    $("call-timer").textContent = "--:--";
    $("call-label").textContent = "No call";
    $("script").textContent = "";
    $("copied").textContent = "";
    $("notes-status").textContent = "";
    restoreDraft();
    busy(false);
  }

  function newCall() {
    api("/calls", { method: "POST" }).then(function (r) {
      forgetCall();
      startCall(r.call, Date.now() / 1000);
      send("/greet", "(call started)");
    });
  }

  function restore() {
    startCall(call, Number(sessionStorage.getItem(STARTED_KEY)) || null);
    restoreDraft();
    busy(true);
    api("/calls/" + call + "/script").then(function (r) {
      r.lines.forEach(function (l) {
        if (l.kind === "caller") { closeOptions(); }
        line(l.kind, l.text, l.buttons || [], l.alert);
      });
      if (!sessionStorage.getItem(STARTED_KEY) && r.started_at) {
        sessionStorage.setItem(STARTED_KEY, String(r.started_at));
        startTimer(r.started_at);
      }
      showPanel(r.panel);
      numberOptions();
      busy(false);
    }).catch(function (err) {
      forgetCall();
      if (err.status === 404) { line("bot", "That call is not open in this session. Start a new call."); }
    });
  }

  // ------------------------------------------------------------------ topics
  function topicButton(topic) {
    var button = el("button", "topic secondary", topic.title);
    button.type = "button";
    button.disabled = waiting || !call;
    button.addEventListener("click", function () { send(topic.payload, topic.shown); });
    return button;
  }

  function search() {
    var query = $("topic-search").value.trim();
    var results = $("topic-results");
    if (!query) { results.textContent = ""; $("topic-count").textContent = ""; return; }
    api("/topics?q=" + encodeURIComponent(query)).then(function (r) {
      if ($("topic-search").value.trim() !== query) { return; }
      results.textContent = "";
      r.topics.forEach(function (t) {
        var item = el("li");
        item.append(topicButton(t));
        results.append(item);
      });
      $("topic-count").textContent = r.topics.length
        ? r.topics.length + (r.topics.length === 1 ? " topic found." : " topics found.")
        : "No topic matches. Try other words.";
    });
  }

  // ------------------------------------------------------------------ wiring
  $("new-call").addEventListener("click", function () {
    if (call) { $("confirm-new").showModal(); return; }
    newCall();
  });
  $("keep-call").addEventListener("click", function () { $("confirm-new").close(); });
  $("end-call").addEventListener("click", function () { $("confirm-new").close(); newCall(); });
  $("sign-out").addEventListener("submit", function () {
    KEYS.forEach(function (k) { sessionStorage.removeItem(k); });
  });

  $("said").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("caller-said").value.trim();
    if (!text) { $("busy").textContent = "Type what the caller said first."; return; }
    $("caller-said").value = "";
    send(text);
  });
  $("caller-said").addEventListener("keydown", function (event) {
    if (event.key === "Escape") { $("script").focus(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || !/^[1-9]$/.test(event.key)) { return; }
    var focused = document.activeElement;
    if (focused && (/^(INPUT|TEXTAREA|SELECT)$/.test(focused.tagName) || focused.isContentEditable)) {
      return;
    }
    if ($("confirm-new").open) { return; }
    var option = document.querySelector(
      '.options button[aria-keyshortcuts="' + event.key + '"]:not(:disabled)');
    if (option) { event.preventDefault(); option.click(); }
  });

  $("handoff").addEventListener("click", function () {
    send("/request_human", "(agent: create specialist handoff)");
  });
  $("copy-reference").addEventListener("click", function () {
    if (lastPanel && lastPanel.referral.reference) {
      copy(lastPanel.referral.reference, "Reference");
    }
  });
  $("copy-summary").addEventListener("click", function () {
    if (lastPanel) { copy(summary(), "Summary"); }
  });
  $("save-notes").addEventListener("click", saveNotes);
  $("call-notes").addEventListener("input", keepDraft);
  $("wrap-up").addEventListener("change", function () {
    keepDraft();
    $("notes-status").textContent = "";
  });
  $("topic-search").addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 150);
  });

  api("/console").then(function (c) {
    settings = c;
    var quick = $("quick-topics");
    c.quick_topics.forEach(function (t) { quick.append(topicButton(t)); });
    var wrapUp = $("wrap-up");
    (c.wrap_ups || []).forEach(function (w) {
      var option = el("option", null, w.label);
      option.value = w.key;
      wrapUp.append(option);
    });
    if (c.notes_max_chars) { $("call-notes").maxLength = c.notes_max_chars; }
    restoreDraft();
  }).catch(function () {
    $("topic-count").textContent = "Topics could not be loaded; type the caller's question.";
  }).then(function () {
    if (call) { restore(); }
  });
})();
