// Case work on the contact being served (Sori.contact, from the screen-pop): notes straight onto the case, the
// category with the classifier's top-3 suggestions (one click to accept; the suggestions shown go with the
// choice, for retraining), resolve / close / reopen, a callback in a time window to the calling number or a
// number on file (never a typed one), and a hand-off to another center with its required summary. The side
// panel's tabs (상담 기록 / 민원함 / 도구) are switched here too.
"use strict";
(function () {
  var S = window.Sori;
  if (!S) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var err = $("work-error"), done = $("work-done");
  var note = $("note-input"), chips = $("category-suggestions"), category = $("category-input");
  var shown = [];  // the suggestions shown for the current case, sent with the agent's choice

  function say(ok, text) {
    err.textContent = ok ? "" : text;
    done.textContent = ok ? text : "";
    S.announce(text);
  }

  function caseNumber() {
    var c = S.contact;
    if (!c || !c.case_number) { say(false, "먼저 사건을 열거나 이어서 하기를 고르세요."); return null; }
    return c.case_number;
  }

  function call(method, path, payload, success) {
    err.textContent = "";
    done.textContent = "";
    return S.api(method, path, payload, true).then(function (r) {
      if (!r.ok) { say(false, S.message(r, "요청을 처리하지 못했습니다.")); return r; }
      say(true, success);
      S.emit("case-changed", r.data);
      return r;
    });
  }

  // -- notes -----------------------------------------------------------------------------------------------
  $("note-save").addEventListener("click", function () {
    var number = caseNumber();
    if (!number) { return; }
    var text = note.value.trim();
    if (!text) { say(false, "메모를 입력하세요."); note.focus(); return; }
    call("POST", "/cases/" + encodeURIComponent(number) + "/contacts", { channel: "agent-note", notes: text },
      "메모를 저장했습니다.").then(function (r) {
      if (r.ok) { note.value = ""; loadSuggestions(number); }  // the note is part of the text they read
    });
  });
  S.focusNote = function () { note.focus(); };

  // -- category ------------------------------------------------------------------------------------------
  function loadSuggestions(number) {
    chips.textContent = "";
    shown = [];
    if (!number) { return; }
    S.api("GET", "/cases/" + encodeURIComponent(number) + "/category-suggestions").then(function (r) {
      if (!r.ok || !r.data) {
        if (r.status === 503) { chips.appendChild(S.el("span", { "class": "muted" }, "분류 추천 준비 중")); }
        return;
      }
      var list = r.data.suggestions || [];
      shown = list.map(function (s) { return s.category; });
      list.forEach(function (s) {
        var b = S.el("button", { type: "button", "class": "chip", "data-testid": "category-suggestion",
          "data-category": s.category }, (s.label || s.category) + " " + Math.round((s.score || 0) * 100) + "%");
        b.addEventListener("click", function () { category.value = s.category; save(); });
        chips.appendChild(b);
      });
    });
  }

  function save() {
    var number = caseNumber();
    if (!number) { return; }
    var value = category.value.trim();
    if (!value) { say(false, "분류를 입력하거나 추천을 고르세요."); category.focus(); return; }
    var payload = { category: value };
    if (shown.length) { payload.suggestions = shown; }
    call("PATCH", "/cases/" + encodeURIComponent(number), payload, "분류를 저장했습니다.");
  }
  $("category-save").addEventListener("click", save);

  // -- status ----------------------------------------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("[data-status]"), function (b) {
    b.addEventListener("click", function () {
      var number = caseNumber();
      if (!number) { return; }
      var status = b.getAttribute("data-status");
      call("POST", "/cases/" + encodeURIComponent(number) + "/status", { status: status },
        "사건 상태를 바꿨습니다: " + b.textContent);
    });
  });

  // -- callback --------------------------------------------------------------------------------------------
  function local(date) { return S.seoul(date).replace(" ", "T"); }  // the inputs hold Seoul time
  function iso(value) {
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? value + ":00+09:00" : null;
  }
  $("callback-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var c = S.contact;
    if (!c) { say(false, "통화 중인 고객이 없습니다."); return; }
    var start = iso($("callback-start").value), end = iso($("callback-end").value);
    if (!start || !end) { say(false, "시작과 끝 시각을 입력하세요."); return; }
    var chosen = $("callback-number").value;  // "calling", or the index of a number on file
    var payload = { window_start: start, window_end: end, number: chosen === "calling" ? chosen : Number(chosen),
      reason: $("callback-reason").value.trim() };
    call("POST", "/interactions/" + c.interaction_id + "/callbacks", payload, "다시 전화하기를 예약했습니다.");
  });

  // -- hand-off --------------------------------------------------------------------------------------------
  $("handoff-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var number = caseNumber();
    if (!number) { return; }
    var payload = { to_center: $("handoff-center").value, reason: $("handoff-reason").value.trim(),
      summary: $("handoff-summary").value.trim() };
    if (!payload.summary) { say(false, "인계 요약을 입력하세요."); return; }
    call("POST", "/cases/" + encodeURIComponent(number) + "/handoffs", payload, "사건을 인계했습니다.");
  });

  // -- the pop's case, the callback's numbers ----------------------------------------------------------------
  var lastCase = null;
  S.on("pop", function (pop) {
    var number = pop.case_number || null;
    if (number !== lastCase) { lastCase = number; loadSuggestions(number); category.value = ""; }
    var select = $("callback-number");
    select.textContent = "";
    select.appendChild(S.el("option", { value: "calling" }, "지금 건 번호 (" + (pop.caller || "번호 없음") + ")"));
    ((pop.citizen && pop.citizen.phones) || []).forEach(function (phone, index) {
      select.appendChild(S.el("option", { value: String(index) }, "등록 번호 " + phone));
    });
    var start = new Date(Date.now() + 30 * 60000);
    if (!$("callback-start").value) { $("callback-start").value = local(start); }
    if (!$("callback-end").value) { $("callback-end").value = local(new Date(start.getTime() + 60 * 60000)); }
  });

  // -- tabs ------------------------------------------------------------------------------------------------
  var tabs = Array.prototype.slice.call(document.querySelectorAll("[role=tab]"));
  function select(tab, focus) {
    tabs.forEach(function (t) {
      var on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    });
    if (focus) { tab.focus(); }
    S.emit("tab", tab.id);
  }
  tabs.forEach(function (tab, i) {
    tab.addEventListener("click", function () { select(tab, false); });
    tab.addEventListener("keydown", function (event) {
      var step = event.key === "ArrowRight" ? 1 : (event.key === "ArrowLeft" ? -1 : 0);
      if (step) { event.preventDefault(); select(tabs[(i + step + tabs.length) % tabs.length], true); }
    });
  });
  S.showTab = function (id) { var t = $(id); if (t) { select(t, true); } };
}());
