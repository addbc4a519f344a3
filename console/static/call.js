// The call panel: the offered call ringing (queue, caller masked, wait), hold/resume, hang up, blind and warm
// transfer to a center, a queue or a named agent with the required hand-off summary, completing or cancelling a
// consultation, and the after-call work (후처리) form with the center's wrap-up codes and its timer.
// Everything is read from GET /telephony/agents/me after a pushed event; nothing polls. The phone itself stays
// the agent's SIP phone: answering happens there (the "phone" seam below is where a browser phone would go).
"use strict";
(function () {
  var S = window.Sori;
  if (!S) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var none = $("call-none"), info = $("call-info"), handoff = $("call-handoff"), error = $("call-error");
  var hold = $("hold"), hangup = $("hangup"), transfer = $("transfer");
  var complete = $("consult-complete"), cancel = $("consult-cancel");
  var tForm = $("transfer-form"), tTarget = $("transfer-target"), tCenter = $("transfer-center");
  var tQueue = $("transfer-queue"), tAgent = $("transfer-agent"), tSummary = $("transfer-summary");
  var wForm = $("wrap-up-form"), wCode = $("wrap-up-code"), wNotes = $("wrap-up-notes");
  var wTimer = $("wrap-up-timer"), wError = $("wrap-up-error");
  var view = null;          // the last GET /telephony/agents/me
  var lastCall = null;      // the last call this agent had (its contact is wrapped up after it ends)
  var wrapUntil = null;
  var loading = null;
  var codesLoaded = false;

  function text(id, value) { var node = $(id); if (node) { node.textContent = value || ""; } }

  function say(message) { if (error) { error.textContent = message || ""; } if (message) { S.announce(message); } }

  // -- reading the desk ------------------------------------------------------------------------------------
  // One read at a time; an event that arrives during a read asks for one more read after it (the read in
  // flight may have left the desk before the change the event announces).
  var again = false;
  function refresh() {
    if (loading) { again = true; return loading; }
    loading = S.api("GET", "/telephony/agents/me").then(function (result) {
      loading = null;
      if (result.ok && result.data) { render(result.data); }
      if (again) { again = false; refresh(); }
      return result;
    });
    return loading;
  }
  S.refreshCall = refresh;

  function render(me) {
    var previous = view && view.call;
    view = me;
    var call = me.call;
    if (call) {
      lastCall = call;
      if (!call.answered && me.state === "ringing") { ring(call.call_id, call.center + " " + call.queue + " 대기열"); }
      if (call.interaction_id && (!previous || previous.interaction_id !== call.interaction_id)) {
        S.emit("contact", { interaction_id: call.interaction_id, case_number: call.case_number, call: call });
      }
    }
    none.hidden = Boolean(call);
    info.hidden = !call;
    if (call) {
      text("call-queue", call.center + " · " + call.queue);
      text("call-caller", call.caller || "번호 없음");
      text("call-wait", call.waited_s !== undefined && call.waited_s !== null ? S.duration(call.waited_s) : "");
      text("call-status", call.consulting ? (call.consult_answered ? "협의 중" : "협의 연결 중") :
        (call.held ? "보류 중" : (call.answered ? "통화 중" : "연결 중 (전화기에서 받으세요)")));
    }
    var summary = call && call.handoff_summary;
    handoff.hidden = !summary;
    handoff.textContent = summary ? "이관 요약: " + summary : "";
    var talking = Boolean(call && call.answered);
    hold.disabled = !talking || Boolean(call.consulting);
    hold.textContent = call && call.held ? "보류 해제" : "보류";
    hold.setAttribute("aria-pressed", call && call.held ? "true" : "false");
    hangup.disabled = !talking;
    transfer.disabled = !talking || Boolean(call.consulting);
    complete.hidden = !(call && call.consulting);
    cancel.hidden = !(call && call.consulting);
    complete.disabled = !(call && call.consult_answered);
    if (!talking) { closeTransfer(); }
    showWrapUp(me);
  }

  // -- actions -------------------------------------------------------------------------------------------
  function act(method, path, payload, done) {
    say("");
    return S.api(method, path, payload, true).then(function (result) {
      if (!result.ok) { say(S.message(result, "요청을 처리하지 못했습니다.")); return result; }
      if (done) { done(result); }
      refresh();
      return result;
    });
  }

  hold.addEventListener("click", function () {
    var on = !(view && view.call && view.call.held);
    act("POST", "/telephony/calls/current/hold", { on: on });
  });
  hangup.addEventListener("click", function () { act("POST", "/telephony/calls/current/hangup", null); });
  complete.addEventListener("click", function () { act("POST", "/telephony/calls/current/transfer/complete", null); });
  cancel.addEventListener("click", function () { act("POST", "/telephony/calls/current/transfer/cancel", null); });
  S.hold = function () { if (!hold.disabled) { hold.click(); } };
  S.hangup = function () { if (!hangup.disabled) { hangup.click(); } };

  // -- transfer ------------------------------------------------------------------------------------------
  var centersLoaded = false;
  function loadCenters() {
    if (centersLoaded) { return; }
    centersLoaded = true;
    S.api("GET", "/centers").then(function (result) {
      if (!result.ok || !result.data) { centersLoaded = false; return; }
      var list = result.data.centers || result.data;
      S.centers = list;
      [tCenter, $("handoff-center")].forEach(function (select) {
        if (!select) { return; }
        select.textContent = "";
        list.forEach(function (c) {
          if (c.active === false) { return; }
          select.appendChild(S.el("option", { value: c.code }, c.name + " (" + c.public_number + ")"));
        });
      });
      S.emit("centers", list);
    });
  }
  S.loadCenters = loadCenters;

  function targetChanged() {
    var target = tTarget.value;
    tCenter.disabled = target === "agent";
    tQueue.disabled = target !== "queue";
    tAgent.disabled = target !== "agent";
  }
  tTarget.addEventListener("change", targetChanged);

  function openTransfer() {
    if (transfer.disabled) { return; }
    loadCenters();
    tForm.hidden = false;
    transfer.setAttribute("aria-expanded", "true");
    targetChanged();
    tSummary.focus();
  }
  function closeTransfer() {
    if (tForm.hidden) { return; }
    tForm.hidden = true;
    transfer.setAttribute("aria-expanded", "false");
  }
  S.openTransfer = openTransfer;
  S.on("escape", closeTransfer);
  transfer.addEventListener("click", function () { if (tForm.hidden) { openTransfer(); } else { closeTransfer(); } });
  $("transfer-close").addEventListener("click", function () { closeTransfer(); transfer.focus(); });

  tForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var mode = tForm.querySelector("input[name=mode]:checked").value;
    var payload = { mode: mode, summary: tSummary.value.trim() };
    if (!payload.summary) { say("인계 요약을 입력하세요."); tSummary.focus(); return; }
    var target = tTarget.value;
    if (target === "agent") {
      if (!tAgent.value.trim()) { say("받을 상담사의 아이디를 입력하세요."); tAgent.focus(); return; }
      payload.to_agent = tAgent.value.trim();
    } else {
      payload.to_center = tCenter.value;
      if (target === "queue") { payload.to_queue = tQueue.value.trim() || "general"; }
    }
    act("POST", "/telephony/calls/current/transfer", payload, function (result) {
      closeTransfer();
      tSummary.value = "";
      S.announce(mode === "warm" ? "협의 전화를 거는 중입니다." : "호를 전환했습니다.");
      S.emit("transferred", result.data);
    });
  });

  // -- after-call work (후처리) ---------------------------------------------------------------------------
  function loadCodes() {
    if (codesLoaded) { return; }
    codesLoaded = true;
    S.api("GET", "/wrap-up-codes").then(function (result) {
      if (!result.ok || !result.data) { codesLoaded = false; return; }
      wCode.textContent = "";
      wCode.appendChild(S.el("option", { value: "" }, "선택하세요"));
      (result.data.codes || []).forEach(function (c) {
        wCode.appendChild(S.el("option", { value: c.code }, c.label));
      });
    });
  }

  function showWrapUp(me) {
    var wrapping = me.state === "wrap-up" || Boolean(pendingWrapUp());
    wForm.hidden = !wrapping;
    if (!wrapping) { wrapUntil = null; text("wrap-up-timer", ""); return; }
    loadCodes();
    var until = me.wrapup_until ? Date.parse(me.wrapup_until) : NaN;
    wrapUntil = isNaN(until) ? null : until;
    tick();
  }

  function pendingWrapUp() {
    return lastCall && lastCall.interaction_id && !(view && view.call) && !lastCall.wrapped ? lastCall : null;
  }

  function tick() {
    if (!wTimer) { return; }
    if (wrapUntil === null) { wTimer.textContent = view && view.after_call_mode === "agent-ended" ? "(직접 완료)" : ""; return; }
    var left = Math.max(0, (wrapUntil - Date.now()) / 1000);
    wTimer.textContent = "남은 시간 " + S.duration(left);
  }
  setInterval(tick, 1000);

  wForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var call = lastCall;
    if (!call || !call.interaction_id) { wError.textContent = "마무리할 통화가 없습니다."; return; }
    if (!wCode.value) { wError.textContent = "후처리 코드를 선택하세요."; wCode.focus(); return; }
    wError.textContent = "";
    var payload = { wrap_up_code: wCode.value };
    if (wNotes.value.trim()) { payload.notes = wNotes.value.trim(); }
    submitWrapUp(call, payload, 3);
  });

  // The desk writes the call's end (talk time, recording) a moment after the call ends; a wrap-up sent in that
  // moment is refused (409 call-not-ended) and sent again shortly, without the agent doing anything.
  function submitWrapUp(call, payload, tries) {
    S.api("POST", "/interactions/" + call.interaction_id + "/wrap-up", payload, true).then(function (result) {
      var early = result.status === 409 && result.data && result.data.error === "call-not-ended";
      if (early && tries > 1) { setTimeout(function () { submitWrapUp(call, payload, tries - 1); }, 700); return; }
      if (!result.ok) { wError.textContent = S.message(result, "후처리를 저장하지 못했습니다."); return; }
      call.wrapped = true;
      wNotes.value = "";
      wCode.value = "";
      S.announce("후처리를 마쳤습니다.");
      S.emit("wrapped", call);
      var next = S.state === "wrap-up" ? S.setState("ready") : Promise.resolve(true);
      next.then(refresh);
    });
  }
  S.focusWrapUp = function () { if (!wForm.hidden) { wCode.focus(); } };

  // -- events ----------------------------------------------------------------------------------------------
  var rung = {};
  function ring(callId, where) {  // the assertive live region, once per offered call
    if (!callId || rung[callId]) { return; }
    rung[callId] = true;
    S.announce("전화가 왔습니다: " + where + ". 전화기에서 받으세요.", true);
  }
  S.on("call", function (event) {
    if (event && event.phase === "offered") { ring(event.call_id, event.center || ""); }
    refresh();
  });
  S.on("state", function () { refresh(); });
  S.on("snapshot", function () { refresh(); loadCenters(); });
  // The phone: answering is on the agent's registered SIP phone. A browser phone would plug in here.
  S.phone = { answer: null };
}());
