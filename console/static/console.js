// The agent console's core: window.Sori, shared by the panel modules (call.js, pop.js, work.js, inbox.js,
// tools.js, keys.js), which load after it; errors-ko.js adds Sori.ERRORS, the error codes in Korean.
//  - Sori.api(method, path, body, input): the JSON API through /console/api/v1 as the session's agent (the
//    server adds the agent's token; this page never sees it). Non-GET requests carry the page's CSRF token;
//    `input` marks a click or key of the agent's own (it keeps the session from idling out).
//  - Sori.on(name, fn) / Sori.emit(name, data): the page's own events ("state", "call", "board",
//    "snapshot", "contact" …).
//  - One EventSource on /console/stream (no polling): the agent's state in Korean with the time in state, the
//    connection status (연결 끊김 after 5 s without a message or heartbeat) and a polite live region.
"use strict";
(function () {
  var STATES = {
    "ready": "대기", "not-ready": "이석", "on-call": "통화",
    "ringing": "연결 중", "wrap-up": "후처리", "logged-out": "로그아웃"
  };
  var SILENCE_MS = 5000;
  var body = document.body;
  var csrf = body ? body.getAttribute("data-csrf") || "" : "";
  var handlers = {};
  var stateEl = document.getElementById("agent-state");
  var sinceEl = document.getElementById("agent-since");
  var form = document.getElementById("state-form");
  var reasonEl = document.getElementById("not-ready-reason");
  var errorEl = document.getElementById("state-error");
  var linkEl = document.getElementById("connection-status");
  var announcer = document.getElementById("announcer");
  var alertAnnouncer = document.getElementById("call-announcer");
  var since = null;
  var silence = null;
  var probing = false;

  function on(name, fn) { (handlers[name] = handlers[name] || []).push(fn); }

  function emit(name, data) {
    (handlers[name] || []).forEach(function (fn) {
      try { fn(data); } catch (e) { if (window.console) { window.console.error(e); } }
    });
  }

  function announce(text, urgent) {
    var target = urgent && alertAnnouncer ? alertAnnouncer : announcer;
    if (target) { target.textContent = ""; target.textContent = text; }
  }

  // The JSON API as this session's agent. Resolves {ok, status, data}; never rejects for an HTTP error.
  function api(method, path, payload, input) {
    var headers = { "Accept": "application/json" };
    if (method !== "GET") { headers["X-CSRF-Token"] = csrf; }
    if (input) { headers["X-Console-Input"] = "1"; }
    var init = { method: method, credentials: "same-origin", headers: headers };
    if (payload !== undefined && payload !== null) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    return fetch("/console/api/v1" + path, init).then(function (reply) {
      if (reply.status === 401) { emit("expired", null); }
      return reply.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { ok: reply.ok, status: reply.status, data: data };
      });
    }, function () {
      return { ok: false, status: 0, data: { error: "network", message: "서버에 연결할 수 없습니다." } };
    });
  }

  // What to tell the agent about a refused request: the API's message when it is Korean (often the most
  // specific), else the Korean sentence for its code (errors-ko.js, with the fields of a validation-failed),
  // else the caller's fallback. English never reaches the screen.
  function message(result, fallback) {
    var d = (result && result.data) || {};
    var code = typeof d.error === "string" ? d.error : "";
    var text = d.message || (d.error && d.error.message) || "";
    if (/[\uAC00-\uD7A3]/.test(text)) { return text; }
    var known = (Sori.ERRORS || {})[code];
    if (!known) { return fallback; }
    var errors = code === "validation-failed" && d.details && d.details.errors;
    var fields = (Array.isArray(errors) ? errors : []).map(function (e) { return e && e.field; }).filter(Boolean);
    return fields.length ? known.replace(/\.$/, "") + ": " + fields.join(", ") : known;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) { node.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) { return ""; }
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h > 0 ? h + ":" + two(m) : String(m)) + ":" + two(s % 60);
  }

  // Times are shown, and typed, in Seoul time whatever the browser's own zone: "YYYY-MM-DD HH:MM".
  var SEOUL = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul", year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  function seoul(date) {
    var p = {};
    SEOUL.formatToParts(date).forEach(function (part) { p[part.type] = part.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
  }

  function when(iso) {
    var at = Date.parse(iso);
    return isNaN(at) ? "" : seoul(new Date(at));
  }

  var Sori = {
    api: api, on: on, emit: emit, announce: announce, el: el, message: message, duration: duration, when: when,
    seoul: seoul,
    states: STATES, state: null, center: body ? body.getAttribute("data-center") : null,
    login: body ? body.getAttribute("data-login") : null
  };
  window.Sori = Sori;

  // -- connection ------------------------------------------------------------------------------------------
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

  // -- the agent's state -----------------------------------------------------------------------------------
  function reasonLabel(code) {
    if (reasonEl) {
      for (var i = 0; i < reasonEl.options.length; i += 1) {
        if (reasonEl.options[i].value === code) { return reasonEl.options[i].textContent; }
      }
    }
    return String(code);
  }

  function showSince() {
    if (!sinceEl) { return; }
    sinceEl.textContent = since === null ? "" : duration((Date.now() - since) / 1000);
  }

  function showState(agent) {
    if (!agent || !stateEl) { return; }
    var label = STATES[agent.state];
    if (label === undefined) { return; }
    if (agent.state === "not-ready" && agent.reason) { label += " (" + reasonLabel(agent.reason) + ")"; }
    Sori.state = agent.state;
    if (stateEl.textContent !== label) {
      stateEl.textContent = label;
      if (agent.state !== "ringing") { announce("상태: " + label); }
    }
    var at = agent.since ? Date.parse(agent.since) : NaN;
    since = isNaN(at) ? null : at;
    showSince();
    emit("state", agent);
  }

  function showError(text) {
    if (errorEl) { errorEl.textContent = text; }
    if (text) { announce(text); }
  }

  function setState(state, reason) {
    var payload = new URLSearchParams();
    payload.append("csrf", csrf);
    payload.append("state", state);
    if (reason) { payload.append("reason", reason); }
    showError("");
    return fetch("/console/state", {
      method: "POST", credentials: "same-origin", body: payload,
      headers: { "Accept": "application/json" }
    }).then(function (reply) {
      if (reply.ok) { return true; }
      if (reply.status === 401) { emit("expired", null); return false; }
      return reply.json().then(function (data) {
        showError((data && data.message) || "상태를 바꾸지 못했습니다.");
        return false;
      }, function () { showError("상태를 바꾸지 못했습니다."); return false; });
    }, function () { showError("서버에 연결할 수 없습니다."); return false; });
  }
  Sori.setState = setState;
  Sori.notReady = function () { return setState("not-ready", reasonEl ? reasonEl.value : null); };

  if (form && window.fetch && window.URLSearchParams) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !button.value) { return; }  // no submitter known: the plain form post does it
      event.preventDefault();
      setState(button.value, button.value === "not-ready" && reasonEl ? reasonEl.value : null);
    });
  }
  setInterval(showSince, 1000);

  on("expired", function () {
    announce("로그인이 만료되었습니다. 다시 로그인하세요.", true);
    window.location.assign("/console/login");
  });

  // -- the stream --------------------------------------------------------------------------------------------
  function parse(event) {
    try { return JSON.parse(event.data); } catch (e) { return null; }
  }

  function start() {
    if (typeof EventSource === "undefined") { setLink(false); return; }
    var stream = new EventSource("/console/stream");
    stream.onopen = alive;
    stream.onmessage = alive;  // unnamed events, including heartbeats sent as data
    stream.onerror = function () {
      setLink(false);
      // The stream cannot tell why it failed; a read says whether the session ended (401: back to the login).
      if (!probing) {
        probing = true;
        setTimeout(function () { api("GET", "/me").then(function () { probing = false; }); }, 500);
      }
    };
    ["heartbeat", "ping"].forEach(function (type) { stream.addEventListener(type, alive); });
    stream.addEventListener("state", function (event) { alive(); showState(parse(event)); });
    stream.addEventListener("call", function (event) { alive(); emit("call", parse(event)); });
    stream.addEventListener("board", function (event) { alive(); emit("board", parse(event)); });
    stream.addEventListener("snapshot", function (event) {
      alive();
      var data = parse(event);
      if (data) { showState(data.agent); emit("snapshot", data); }
    });
  }
  // The panel modules load after this file (all deferred, in order): start once they have subscribed.
  document.addEventListener("DOMContentLoaded", start);
}());
