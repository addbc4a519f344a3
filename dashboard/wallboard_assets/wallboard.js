// The wallboard's push: one EventSource on /dashboard/wallboard-stream for the scope this page's path names;
// each "snapshot" event goes to the wb-snapshot store (dash_clientside.set_props), which the page's callback
// draws. No polling. The link status says 실시간 / 연결 끊김; an optional sound (off by default) when alerts grow.
"use strict";
(function () {
  var SILENCE_MS = 15000;
  var MOUNT = "/dashboard/wallboard/";

  function scope() {
    var rest = decodeURIComponent(window.location.pathname).slice(MOUNT.length).replace(/^\/+|\/+$/g, "");
    if (rest === "all") { return "all"; }
    if (rest.indexOf("institution/") === 0) { return "institution:" + rest.slice("institution/".length); }
    return "center:" + rest;
  }

  function link(text) {
    var el = document.getElementById("wb-link");
    if (el) { el.textContent = text; }
  }

  var silence = null;
  function alive() {
    link("실시간");
    if (silence) { clearTimeout(silence); }
    silence = setTimeout(function () { link("연결 끊김"); }, SILENCE_MS);
  }

  var lastAlerts = 0;
  var sound = false;
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("#wb-sound") : null;
    if (!button) { return; }
    sound = !sound;
    button.setAttribute("aria-pressed", sound ? "true" : "false");
    button.textContent = sound ? "알림음 켜짐" : "알림음 꺼짐";
  });
  function beep(alerts) {
    var grew = alerts > lastAlerts;
    lastAlerts = alerts;
    if (!grew || !sound || !window.AudioContext) { return; }
    try {
      var audio = new window.AudioContext(), tone = audio.createOscillator();
      tone.frequency.value = 880; tone.connect(audio.destination);
      tone.start(); tone.stop(audio.currentTime + 0.2);
    } catch (e) { /* no sound device: the colour and the message remain */ }
  }

  function start() {
    if (!window.dash_clientside || !window.dash_clientside.set_props || !document.getElementById("wb-body")) {
      setTimeout(start, 50);  // Dash draws the layout after this script runs
      return;
    }
    if (typeof EventSource === "undefined") { link("이 브라우저는 실시간 연결을 지원하지 않습니다"); return; }
    var stream = new EventSource("/dashboard/wallboard-stream?scope=" + encodeURIComponent(scope()));
    stream.addEventListener("snapshot", function (event) {
      alive();
      var data = JSON.parse(event.data);
      window.dash_clientside.set_props("wb-snapshot", { data: data });
      beep((data.alerts || []).length);
    });
    stream.addEventListener("ping", alive);
    stream.onerror = function () {
      link("연결 끊김");
      if (stream.readyState === EventSource.CLOSED) { setTimeout(start, 3000); }  // refused (e.g. 403): retry slowly
    };
  }
  start();
})();
