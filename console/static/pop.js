// The screen-pop: when the desk connects a call to this agent (its contact exists once the agent answers), one
// GET /interactions/{id}/screen-pop gives the caller (masked), their citizen or the candidates on record for the
// number, the cases to continue and the timeline across every center — exactly as the access rules allow (other
// centers as summaries until the caller is verified with evidence). Here the agent verifies the caller, picks
// the citizen on a shared number, continues a case or opens one. Sori.contact holds what the other panels need.
"use strict";
(function () {
  var S = window.Sori;
  if (!S) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var empty = $("pop-empty"), citizenEl = $("pop-citizen"), candidatesEl = $("pop-candidates");
  var offersEl = $("pop-offers"), timelineEl = $("timeline"), caseEl = $("case-number"), caseStatus = $("case-status");
  var vForm = $("verify-form"), vRrn = $("verify-rrn"), vCode = $("verify-code"), vError = $("verify-error");
  var current = null;  // {interaction_id, case_number}
  var serial = 0;

  var CHANNELS = {
    "inbound-call": "전화", "outbound-call": "발신 전화", "callback": "콜백 통화", "ivr-self-service": "ARS 셀프서비스",
    "sinmungo-text": "신문고 글", "agent-note": "메모", "sms": "문자", "visit": "방문"
  };
  var DISPOSITIONS = {
    "answered": "상담", "resolved": "해결", "transferred": "이관", "dropped": "끊김", "worker-lost": "끊김",
    "callback-requested": "콜백 요청", "abandoned-in-queue": "대기 중 포기", "abandoned-in-ivr": "ARS 중 포기",
    "self-service-completed": "셀프서비스 완료"
  };
  var TOOLS = { "public-services": "공공서비스 조회", "certificates": "증명서", "bills": "고지서", "sms": "문자 발송" };
  var KINDS = { "handoff": "인계", "complaint": "신문고 민원", "callback": "콜백 예약" };
  var OUTCOMES = { "ok": "완료", "not-found": "없음", "refused": "거절", "unavailable": "연결 실패" };
  var CALLBACKS = { "pending": "대기", "done": "완료", "failed": "실패", "cancelled": "취소", "expired": "만료" };

  function centerName(code) {
    var list = S.centers || [];
    for (var i = 0; i < list.length; i += 1) { if (list[i].code === code) { return list[i].name; } }
    return code;
  }

  function itemTitle(item) {
    if (item.kind === "contact") {
      var title = CHANNELS[item.channel] || item.channel || "상담";
      if (item.disposition && item.disposition !== "note") {
        title += " · " + (DISPOSITIONS[item.disposition] || item.disposition);
      }
      if (item.talk_seconds) { title += " · 통화 " + S.duration(item.talk_seconds); }
      if (item.wait_seconds) { title += " · 대기 " + S.duration(item.wait_seconds); }
      return title;
    }
    if (item.kind === "tool-use") {
      return (TOOLS[item.channel] || "도구") + " · " + (OUTCOMES[item.status] || item.status || "");
    }
    if (item.kind === "handoff") { return "인계 → " + centerName(item.to_center || ""); }
    if (item.kind === "callback") { return "콜백 예약 · " + (CALLBACKS[item.status] || item.status || ""); }
    return KINDS[item.kind] || item.kind;
  }

  function renderTimeline(items) {
    timelineEl.textContent = "";
    if (!items.length) {
      timelineEl.appendChild(S.el("li", { "class": "muted" }, "이전 이력이 없습니다."));
      return;
    }
    items.forEach(function (item) {
      var li = S.el("li", { "data-testid": "timeline-item", "data-kind": item.kind, "class": "item " + item.detail });
      var head = S.el("div", { "class": "head" });
      head.appendChild(S.el("time", { datetime: item.at }, S.when(item.at)));
      head.appendChild(S.el("span", { "class": "where" }, centerName(item.center_code)));
      head.appendChild(S.el("span", { "class": "what" }, itemTitle(item)));
      if (item.case_number) { head.appendChild(S.el("span", { "class": "case" }, item.case_number)); }
      li.appendChild(head);
      if (item.text) { li.appendChild(S.el("p", { "class": "text" }, item.text)); }
      if (item.has_recording) { li.appendChild(recordingButton(item.interaction_id)); }
      if (item.detail === "summary") { li.appendChild(S.el("p", { "class": "muted" }, "요약만 표시 (본인 확인 전)")); }
      timelineEl.appendChild(li);
    });
  }

  // A contact's recording, streamed with range requests (each play is access-logged by the server); the
  // player is made only when the agent asks for it, so that no recording is fetched by merely showing the pop.
  function recordingButton(interactionId) {
    var b = S.el("button", { type: "button", "class": "secondary", "data-testid": "play-recording" }, "녹음 듣기");
    b.addEventListener("click", function () {
      var player = S.el("audio", { controls: "", preload: "auto", "data-testid": "recording-player",
        "aria-label": "통화 녹음", src: "/console/api/v1/interactions/" + interactionId + "/recording" });
      b.replaceWith(player);
      player.focus();
    });
    return b;
  }

  function renderCitizen(c) {
    citizenEl.textContent = "";
    if (!c) { return; }
    var dl = S.el("dl", { "class": "facts" });
    function row(label, value) {
      dl.appendChild(S.el("dt", null, label));
      dl.appendChild(S.el("dd", null, value));
    }
    row("이름", c.name || "등록되지 않음");
    row("전화", (c.phones || []).join(", ") || "없음");
    if (c.resident_number_masked) { row("주민등록번호", c.resident_number_masked); }
    row("본인 확인", c.identity_verified ? "확인됨" : "확인 전");
    citizenEl.appendChild(dl);
    if (c.hidden_contacts) {
      citizenEl.appendChild(S.el("p", { "class": "muted" }, "다른 기관 이력 " + c.hidden_contacts + "건은 표시되지 않습니다."));
    }
  }

  function renderCandidates(list) {
    candidatesEl.textContent = "";
    if (!list.length) { return; }
    candidatesEl.appendChild(S.el("p", null, "이 번호로 등록된 고객이 여럿입니다. 통화 중인 고객을 고르세요."));
    list.forEach(function (c) {
      var b = S.el("button", { type: "button", "class": "secondary", "data-testid": "pick-citizen" },
        (c.name || "이름 없음") + " · " + (c.phones || []).join(", "));
      b.addEventListener("click", function () {
        act("POST", "/interactions/" + current.interaction_id + "/citizen", { citizen_id: c.id });
      });
      candidatesEl.appendChild(b);
    });
  }

  function renderOffers(pop) {
    offersEl.textContent = "";
    var attached = pop.case_number;
    var offers = (pop.continuable_cases || []).filter(function (o) { return o.number !== attached; });
    if (!attached && offers.length) {
      offersEl.appendChild(S.el("p", null, "이어서 상담할 수 있는 사건"));
      offers.forEach(function (o) {
        var b = S.el("button", { type: "button", "data-testid": "continue-case" },
          "이어서 하기: " + o.number + " (" + centerName(o.owner_center) + (o.category ? ", " + o.category : "") + ")");
        b.addEventListener("click", function () {
          act("POST", "/interactions/" + current.interaction_id + "/continue", { case_number: o.number });
        });
        offersEl.appendChild(b);
      });
    }
    if (!attached && pop.citizen) {
      var open = S.el("button", { type: "button", "class": "secondary", "data-testid": "open-case" }, "새 사건 열기");
      open.addEventListener("click", function () {
        act("POST", "/cases", { citizen_id: pop.citizen.id, interaction_id: current.interaction_id });
      });
      offersEl.appendChild(open);
    }
  }

  function render(pop) {
    empty.hidden = true;
    var number = pop.case_number || (current && current.case_number) || "";
    caseEl.textContent = number || "없음";
    caseStatus.textContent = "";
    renderCitizen(pop.citizen);
    renderCandidates(pop.candidates || []);
    renderOffers(pop);
    vForm.hidden = !pop.citizen || pop.citizen.identity_verified;
    renderTimeline(pop.timeline || []);
    S.contact = {
      interaction_id: pop.interaction.id, case_number: pop.case_number || null,
      citizen_id: pop.citizen ? pop.citizen.id : null,
      verified: Boolean(pop.interaction.identity_verified), center: pop.interaction.center_code
    };
    S.emit("pop", pop);
  }

  function load(input) {
    if (!current) { return Promise.resolve(null); }
    var mine = ++serial;
    return S.api("GET", "/interactions/" + current.interaction_id + "/screen-pop", null, input).then(function (r) {
      if (mine !== serial) { return r; }  // a newer contact's pop is on its way
      if (r.ok && r.data) { render(r.data); } else { S.announce(S.message(r, "고객 정보를 불러오지 못했습니다.")); }
      return r;
    });
  }
  S.reloadPop = load;

  function act(method, path, payload) {
    vError.textContent = "";
    return S.api(method, path, payload, true).then(function (r) {
      if (!r.ok) { vError.textContent = S.message(r, "요청을 처리하지 못했습니다."); S.announce(vError.textContent); return r; }
      if (r.data && r.data.number && !current.case_number) { current.case_number = r.data.number; }
      return load(true);
    });
  }

  vForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!vRrn.value.trim()) { vError.textContent = "주민등록번호를 입력하세요."; vRrn.focus(); return; }
    var payload = { method: "resident-number", resident_number: vRrn.value.trim() };
    vRrn.value = "";  // never kept in the page
    act("POST", "/interactions/" + current.interaction_id + "/verify", payload);
  });
  $("verify-sms").addEventListener("click", function () {
    S.api("POST", "/interactions/" + current.interaction_id + "/verify/sms-code", {}, true).then(function (r) {
      vError.textContent = r.ok ? "" : S.message(r, "인증번호를 보내지 못했습니다.");
      if (r.ok) { S.announce("인증번호를 " + r.data.sent_to + "(으)로 보냈습니다."); vCode.focus(); }
    });
  });
  $("verify-code-submit").addEventListener("click", function () {
    if (!vCode.value.trim()) { vError.textContent = "인증번호를 입력하세요."; vCode.focus(); return; }
    var payload = { method: "sms-code", code: vCode.value.trim() };
    vCode.value = "";
    act("POST", "/interactions/" + current.interaction_id + "/verify", payload);
  });

  // Any other lookup: the API asks for a stated reason, answers with the reader's own center's records only and
  // writes the access log; the page keeps nothing of it once the panel is closed.
  $("lookup-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var phone = $("lookup-phone").value.trim(), reason = $("lookup-reason").value.trim();
    var out = $("lookup-result"), err = $("lookup-error");
    out.textContent = "";
    err.textContent = "";
    if (!phone || !reason) { err.textContent = "전화번호와 조회 사유를 모두 입력하세요."; return; }
    var query = "?phone=" + encodeURIComponent(phone) + "&reason=" + encodeURIComponent(reason);
    S.api("GET", "/citizens" + query, null, true).then(function (r) {
      if (!r.ok) { err.textContent = S.message(r, "조회하지 못했습니다."); return; }
      var found = (r.data && r.data.citizens) || [];
      if (!found.length) { out.appendChild(S.el("li", { "class": "muted" }, "우리 센터 기록이 없습니다.")); }
      found.forEach(function (c) {
        out.appendChild(S.el("li", { "data-testid": "lookup-citizen" }, (c.name || "이름 없음") + " · " +
          (c.phones || []).join(", ") + " · 사건 " + (c.cases || []).length + "건 · 상담 " + (c.contacts || []).length + "건"));
      });
    });
  });

  // While the phone rings: the offered caller, as an unverified serving agent would see them (the desk's offer is
  // the server's fact; the page only asks). The contact's own pop replaces it once the agent answers.
  var offerSerial = 0;
  function loadOffer(callId) {
    var mine = ++offerSerial;
    return S.api("GET", "/agents/me/offer").then(function (r) {
      if (mine !== offerSerial || !r.ok || !r.data || !r.data.ringing) { return; }
      if (current && current.interaction_id && current.call_id === r.data.call_id) { return; }  // its contact is up
      renderOffer(r.data);
      S.emit("offer-pop", { call_id: r.data.call_id || callId, items: (r.data.timeline || []).length });
    });
  }

  function renderOffer(offer) {
    empty.hidden = true;
    current = { interaction_id: null, case_number: offer.case_number, call_id: offer.call_id };
    caseEl.textContent = offer.case_number || "없음";
    caseStatus.textContent = "(전화를 받으면 상담이 시작됩니다)";
    renderCitizen(offer.citizen);
    candidatesEl.textContent = "";
    offersEl.textContent = "";
    (offer.continuable_cases || []).forEach(function (o) {
      offersEl.appendChild(S.el("p", { "class": "muted" }, "진행 중인 사건: " + o.number + " (" +
        centerName(o.owner_center) + (o.category ? ", " + o.category : "") + ")"));
    });
    vForm.hidden = true;
    renderTimeline(offer.timeline || []);
  }

  S.on("call", function (event) {
    if (event && event.phase === "offered") { loadOffer(event.call_id); }
  });

  S.on("contact", function (contact) {
    offerSerial += 1;  // an offer's pop still on its way is not drawn over the contact's
    current = { interaction_id: contact.interaction_id, case_number: contact.case_number,
      call_id: contact.call ? contact.call.call_id : null };
    if (!S.centers && S.loadCenters) { S.loadCenters(); }
    load(false);
  });
  S.on("case-changed", function () { load(false); });
  // A wrapped-up contact is over: nothing may act for its caller any more (the inbox's link and identify
  // buttons read S.contact; the server refuses a closed contact anyway).
  S.on("wrapped", function (call) {
    if (S.contact && call && S.contact.interaction_id === call.interaction_id) { S.contact = null; }
  });
}());
