/*
 * The agent console: the agent sends what the caller says; the reply is a script to read out,
 * and the side panel shows the call's screening answers, outcome, safety flags and referral.
 * All text is inserted as text. The session cookie is HttpOnly; this script never sees it.
 */
(function () {
  "use strict";
  var BASE = "/webhooks/agent";
  var CALL_KEY = "ivig-agent-call";
  var $ = function (id) { return document.getElementById(id); };
  var call = sessionStorage.getItem(CALL_KEY);

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
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  function line(kind, text, buttons) {
    var node = el("div", "line line--" + kind, text);
    if (buttons && buttons.length) {
      var group = el("div", "options");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "The caller's answer");
      buttons.forEach(function (b) {
        var button = el("button", null, b.title);
        button.type = "button";
        button.addEventListener("click", function () {
          group.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
          send(b.payload, b.title);
        });
        group.append(button);
      });
      node.append(group);
    }
    $("script").append(node);
    $("script").scrollTop = $("script").scrollHeight;
  }

  function showPanel(panel) {
    var flags = $("flags");
    flags.textContent = "";
    if (!panel.safety_flags.length) { flags.append(el("li", null, "None")); }
    panel.safety_flags.forEach(function (f) { flags.append(el("li", "flag", f.label)); });

    var answers = $("answers");
    answers.textContent = "";
    if (!panel.answers.length) { answers.append(el("dt", null, "None yet")); }
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
    $("handoff").disabled = !call || Boolean(ref.reference);
  }

  function busy(on) {
    $("busy").textContent = on ? "Waiting for the script…" : "";
    $("caller-said").disabled = on || !call;
    document.querySelector("#said button").disabled = on || !call;
  }

  function send(message, shown) {
    if (!call) { return; }
    line("caller", shown || message);
    busy(true);
    api("/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ call: call, message: message })
    }).then(function (reply) {
      reply.messages.forEach(function (m) { line("bot", m.text || "", m.buttons || []); });
      showPanel(reply.panel);
    }).catch(function (err) {
      line("bot", "The assistant did not answer (" + err.message + "). Try again.");
    }).then(function () { busy(false); $("caller-said").focus(); });
  }

  function startCall(id) {
    call = id;
    sessionStorage.setItem(CALL_KEY, id);
    $("call-label").textContent = "Call " + id.slice(0, 8);
    $("handoff").disabled = false;
    busy(false);
  }

  $("new-call").addEventListener("click", function () {
    api("/calls", { method: "POST" }).then(function (r) {
      $("script").textContent = "";
      startCall(r.call);
      send("/greet", "(call started)");
    });
  });

  $("said").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("caller-said").value.trim();
    if (!text) { $("busy").textContent = "Type what the caller said first."; return; }
    $("caller-said").value = "";
    send(text);
  });

  $("handoff").addEventListener("click", function () {
    send("/request_human", "(agent: create specialist handoff)");
  });

  if (call) {
    startCall(call);
    api("/calls/" + call + "/panel").then(showPanel);
  }
})();
