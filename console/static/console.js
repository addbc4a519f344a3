// The agent console's live part: one EventSource on /console/stream (no polling), the agent's state in
// Korean, the connection status (연결 끊김 after 5 s without a message or heartbeat) and a polite live region.
// The state form posts with fetch (the page's CSRF token, Accept: application/json); the new state comes back
// through the stream. A 1-second local timer re-renders the time in state (it never asks the server).
"use strict";
(function () {
  var STATES = {
    "ready": "대기", "not-ready": "이석", "on-call": "통화",
    "ringing": "연결 중", "wrap-up": "후처리", "logged-out": "로그아웃"
  };
  var SILENCE_MS = 5000;
  var stateEl = document.getElementById("agent-state");
  var sinceEl = document.getElementById("agent-since");
  var form = document.getElementById("state-form");
  var reasonEl = document.getElementById("not-ready-reason");
  var errorEl = document.getElementById("state-error");
  var since = null;
  var linkEl = document.getElementById("connection-status");
  var announcer = document.getElementById("announcer");
  var silence = null;

  function announce(text) {
    if (announcer) { announcer.textContent = text; }
  }

  function setLink(up) {
    if (!linkEl) { return; }
    var text = up ? "연결됨" : "연결 끊김";
    if (linkEl.textContent !== text) {
      linkEl.textContent = text;
      linkEl.className = up ? "up" : "down";
      if (!up) { announce("서버와 연결이 끊겼습니다."); }
    }
  }

  function alive() {
    setLink(true);
    if (silence !== null) { clearTimeout(silence); }
    silence = setTimeout(function () { setLink(false); }, SILENCE_MS);
  }

  function reasonLabel(code) {
    if (reasonEl) {
      for (var i = 0; i < reasonEl.options.length; i += 1) {
        if (reasonEl.options[i].value === code) { return reasonEl.options[i].textContent; }
      }
    }
    return String(code);
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function showSince() {
    if (!sinceEl) { return; }
    if (since === null) { sinceEl.textContent = ""; return; }
    var s = Math.max(0, Math.floor((Date.now() - since) / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    sinceEl.textContent = (h > 0 ? h + ":" + two(m) : String(m)) + ":" + two(s % 60);
  }

  function showState(agent) {
    if (!agent || !stateEl) { return; }
    var label = STATES[agent.state];
    if (label === undefined) { return; }
    if (agent.state === "not-ready" && agent.reason) { label += " (" + reasonLabel(agent.reason) + ")"; }
    if (stateEl.textContent !== label) {
      stateEl.textContent = label;
      announce("상태: " + label);
    }
    var at = agent.since ? Date.parse(agent.since) : NaN;
    since = isNaN(at) ? null : at;
    showSince();
  }

  function showError(text) {
    if (errorEl) { errorEl.textContent = text; }
    if (text) { announce(text); }
  }

  if (form && window.fetch && window.URLSearchParams) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !button.value) { return; }  // no submitter known: the plain form post does it
      event.preventDefault();
      var body = new URLSearchParams();
      body.append("csrf", form.elements.namedItem("csrf").value);
      body.append("state", button.value);
      if (button.value === "not-ready" && reasonEl) { body.append("reason", reasonEl.value); }
      showError("");
      fetch(form.action, {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "Accept": "application/json" }
      }).then(function (reply) {
        if (reply.ok) { return null; }
        return reply.json().then(function (data) {
          showError((data && data.message) || "상태를 바꾸지 못했습니다.");
        }, function () { showError("상태를 바꾸지 못했습니다."); });
      }, function () { showError("서버에 연결할 수 없습니다."); });
    });
  }
  setInterval(showSince, 1000);

  function parse(event) {
    try { return JSON.parse(event.data); } catch (e) { return null; }
  }

  if (typeof EventSource === "undefined") { setLink(false); return; }
  var stream = new EventSource("/console/stream");
  stream.onopen = alive;
  stream.onmessage = alive;  // unnamed events, including heartbeats sent as data
  stream.onerror = function () { setLink(false); };
  ["heartbeat", "ping"].forEach(function (type) { stream.addEventListener(type, alive); });
  stream.addEventListener("state", function (event) { alive(); showState(parse(event)); });
  stream.addEventListener("snapshot", function (event) {
    alive();
    var data = parse(event);
    if (data) { showState(data.agent); }
  });
}());
