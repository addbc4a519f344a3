// The agent console's live part: one EventSource on /console/stream (no polling), the agent's state in
// Korean, the connection status (연결 끊김 after 5 s without a message or heartbeat) and a polite live region.
"use strict";
(function () {
  var STATES = {
    "ready": "대기", "not-ready": "이석", "on-call": "통화",
    "ringing": "연결 중", "wrap-up": "후처리", "logged-out": "로그아웃"
  };
  var SILENCE_MS = 5000;
  var stateEl = document.getElementById("agent-state");
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

  function showState(agent) {
    if (!agent || !stateEl) { return; }
    var label = STATES[agent.state];
    if (label === undefined) { return; }
    if (stateEl.textContent !== label) {
      stateEl.textContent = label;
      announce("상태: " + label);
    }
    if (agent.reason) { stateEl.title = String(agent.reason); } else { stateEl.removeAttribute("title"); }
  }

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
