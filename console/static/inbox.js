// The 신문고 inbox: the complaints assigned to the agent's center, oldest 처리기한 first, overdue ones flagged; one
// complaint's text (masked where it must be), its history and the actions — claim, answer, close, hand off to
// another center with a summary, link to the case being worked, identify the complainant of one without a citizen
// as the verified caller of the current contact, and start a contact on it (the screen-pop then shows the
// complainant's timeline like a call's). Loaded when the tab opens, and again after each action.
"use strict";
(function () {
  var S = window.Sori;
  if (!S) { return; }
  var panel = document.getElementById("panel-inbox");
  var count = document.getElementById("inbox-count");
  if (!panel) { return; }
  var STATUS = { "received": "접수", "claimed": "처리 중", "answered": "답변 완료", "closed": "종결",
    "handed-off": "이관" };
  var EVENTS = { "received": "접수", "claimed": "담당 지정", "answered": "답변", "closed": "종결",
    "handed-off": "이관", "linked": "사건 연결", "released": "담당 해제" };
  var filter = "open";
  var selected = null;

  var head = S.el("div", { "class": "controls" });
  var filterLabel = S.el("label", { "for": "inbox-filter" }, "보기");
  var select = S.el("select", { id: "inbox-filter", "data-testid": "inbox-filter" });
  [["open", "처리할 민원"], ["overdue", "기한 지난 민원"], ["answered", "답변 완료"], ["all", "전체"]].forEach(function (o) {
    select.appendChild(S.el("option", { value: o[0] }, o[1]));
  });
  head.appendChild(filterLabel);
  head.appendChild(select);
  var list = S.el("ul", { "class": "inbox-list", "data-testid": "inbox-list", "aria-label": "민원 목록" });
  var detail = S.el("div", { "class": "inbox-detail", "data-testid": "inbox-detail" });
  var error = S.el("p", { "class": "error", role: "alert", "data-testid": "inbox-error" });
  panel.appendChild(head);
  panel.appendChild(error);
  panel.appendChild(list);
  panel.appendChild(detail);

  function query() {
    if (filter === "overdue") { return "?overdue=true"; }
    if (filter === "all") { return ""; }
    if (filter === "open") { return "?limit=200"; }  // received and claimed, picked below
    return "?status=" + filter;
  }

  function load() {
    return S.api("GET", "/complaints" + query()).then(function (r) {
      error.textContent = r.ok ? "" : S.message(r, "민원함을 불러오지 못했습니다.");
      if (!r.ok || !r.data) { return; }
      list.textContent = "";
      var items = (r.data.complaints || []).filter(function (c) {
        return filter !== "open" || c.status === "received" || c.status === "claimed";
      });
      if (filter === "open" && count) { count.textContent = items.length ? "(" + items.length + ")" : ""; }
      if (!items.length) { list.appendChild(S.el("li", { "class": "muted" }, "민원이 없습니다.")); }
      items.forEach(function (c) {
        var li = S.el("li", { "data-testid": "inbox-item", "data-id": String(c.id) });
        var b = S.el("button", { type: "button", "class": "link" }, c.title);
        b.addEventListener("click", function () { open(c.id, true); });
        li.appendChild(b);
        var meta = S.el("span", { "class": "meta" }, (STATUS[c.status] || c.status) +
          " · 기한 " + (c.due_at ? S.when(c.due_at) : "-") + (c.claimed_by ? " · " + c.claimed_by : ""));
        li.appendChild(meta);
        if (c.overdue) { li.appendChild(S.el("span", { "class": "overdue", "data-testid": "overdue" }, "기한 지남")); }
        list.appendChild(li);
      });
    });
  }
  S.loadInbox = load;

  function button(label, testid, handler, secondary) {
    var b = S.el("button", { type: "button", "data-testid": testid, "class": secondary ? "secondary" : null }, label);
    b.addEventListener("click", handler);
    return b;
  }

  function act(id, path, payload, done) {
    return S.api("POST", "/complaints/" + id + path, payload, true).then(function (r) {
      error.textContent = r.ok ? "" : S.message(r, "요청을 처리하지 못했습니다.");
      if (r.ok) { S.announce(done); load(); open(id, false); }
      return r;
    });
  }

  function render(c) {
    detail.textContent = "";
    detail.appendChild(S.el("h3", null, c.title));
    var facts = S.el("dl", { "class": "facts" });
    [["신문고 번호", c.sinmungo_id], ["접수", S.when(c.received_at)], ["처리기한", c.due_at ? S.when(c.due_at) : "-"],
      ["상태", (STATUS[c.status] || c.status) + (c.overdue ? " (기한 지남)" : "")], ["담당", c.claimed_by || "없음"],
      ["사건", c.case_number || "연결 안 됨"]].forEach(function (row) {
      facts.appendChild(S.el("dt", null, row[0]));
      facts.appendChild(S.el("dd", null, row[1]));
    });
    if (c.origin) {  // filed by an app through Open311: which app, and the classifier's suggestion (a hint only)
      facts.appendChild(S.el("dt", null, "접수 경로"));
      facts.appendChild(S.el("dd", { "data-testid": "complaint-origin" }, "민원 앱 " + c.origin.app));
      facts.appendChild(S.el("dt", null, "분류 제안"));
      facts.appendChild(S.el("dd", { "data-testid": "complaint-category-suggested" },
        c.origin.category_suggested || "분류 전"));
    }
    detail.appendChild(facts);
    detail.appendChild(S.el("p", { "class": "text", "data-testid": "complaint-body" }, c.body));
    if (c.answer) { detail.appendChild(S.el("p", { "class": "answer" }, "답변: " + c.answer)); }
    var history = S.el("ol", { "class": "history", "aria-label": "처리 이력" });
    (c.events || []).forEach(function (e) {
      history.appendChild(S.el("li", null, S.when(e.at) + " " + (EVENTS[e.kind] || e.kind) + " · " + e.actor +
        (e.to_center ? " → " + e.to_center : "") + (e.note ? " · " + e.note : "")));
    });
    detail.appendChild(history);
    var controls = S.el("div", { "class": "controls" });
    var working = c.status === "received" || c.status === "claimed";
    if (c.status === "received") { controls.appendChild(button("담당하기", "complaint-claim", function () {
      act(c.id, "/claim", {}, "민원을 맡았습니다.");
    })); }
    if (working) {
      controls.appendChild(button("상담 시작", "complaint-contact", function () {
        S.api("POST", "/interactions", { sinmungo_id: c.sinmungo_id }, true).then(function (r) {
          if (!r.ok) { error.textContent = S.message(r, "상담을 시작하지 못했습니다."); return; }
          S.emit("contact", { interaction_id: r.data.interaction.id, case_number: c.case_number });
          S.showTab("tab-case");
        });
      }, true));
    }
    if (working && S.contact && S.contact.case_number && !c.case_number) {
      controls.appendChild(button("지금 사건에 연결 (" + S.contact.case_number + ")", "complaint-link", function () {
        S.api("POST", "/cases/" + encodeURIComponent(S.contact.case_number) + "/complaints",
          { sinmungo_id: c.sinmungo_id }, true).then(function (r) {
          error.textContent = r.ok ? "" : S.message(r, "사건에 연결하지 못했습니다.");
          if (r.ok) { S.announce("사건에 연결했습니다."); open(c.id, false); S.emit("case-changed", null); }
        });
      }, true));
    }
    if (!c.citizen_id && S.contact && S.contact.interaction_id) {
      // A complaint from an app has no citizen: it joins a timeline only once the agent has verified the caller
      // of the contact they are serving with evidence (the server checks; a refusal says why).
      controls.appendChild(button("현재 상담 중인 민원인으로 확인", "complaint-identify", function () {
        S.api("POST", "/complaints/" + c.id + "/complainant", { interaction_id: S.contact.interaction_id }, true)
          .then(function (r) {
            error.textContent = r.ok ? "" : S.message(r, "민원인을 확인하지 못했습니다.");
            if (r.ok) { S.announce("민원인을 확인했습니다."); load(); open(c.id, false); S.emit("case-changed", null); }
          });
      }, true));
      if (!S.contact.verified) {
        controls.appendChild(S.el("span", { "class": "muted", "data-testid": "complaint-identify-hint" },
          "본인 확인(주민등록번호 또는 문자 인증번호) 후에 확인할 수 있습니다."));
      }
    }
    if (c.status === "answered") { controls.appendChild(button("종결", "complaint-close", function () {
      act(c.id, "/close", null, "민원을 종결했습니다.");
    }, true)); }
    detail.appendChild(controls);
    if (c.status === "claimed") { detail.appendChild(answerForm(c)); }
    if (working) { detail.appendChild(handoffForm(c)); }
  }

  function answerForm(c) {
    var form = S.el("form", { "data-testid": "complaint-answer-form" });
    form.appendChild(S.el("label", { "for": "complaint-answer" }, "답변"));
    var text = S.el("textarea", { id: "complaint-answer", rows: "5", maxlength: "4000", required: "",
      "data-testid": "complaint-answer" });
    form.appendChild(text);
    form.appendChild(S.el("button", { type: "submit", "data-testid": "complaint-answer-save" }, "답변 등록"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!text.value.trim()) { error.textContent = "답변을 입력하세요."; text.focus(); return; }
      act(c.id, "/answer", { answer: text.value.trim() }, "답변을 등록했습니다.");
    });
    return form;
  }

  function handoffForm(c) {
    var form = S.el("form", { "data-testid": "complaint-handoff-form" });
    form.appendChild(S.el("label", { "for": "complaint-handoff-center" }, "이관할 센터"));
    var center = S.el("select", { id: "complaint-handoff-center" });
    (S.centers || []).forEach(function (x) {
      if (x.code !== S.center) { center.appendChild(S.el("option", { value: x.code }, x.name)); }
    });
    form.appendChild(center);
    form.appendChild(S.el("label", { "for": "complaint-handoff-summary" }, "이관 요약 (필수)"));
    var summary = S.el("textarea", { id: "complaint-handoff-summary", rows: "2", maxlength: "4000", required: "" });
    form.appendChild(summary);
    form.appendChild(S.el("button", { type: "submit", "class": "secondary" }, "이관"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!summary.value.trim()) { error.textContent = "이관 요약을 입력하세요."; summary.focus(); return; }
      act(c.id, "/handoff", { to_center: center.value, summary: summary.value.trim() }, "민원을 이관했습니다.");
    });
    return form;
  }

  function open(id, input) {
    selected = id;
    return S.api("GET", "/complaints/" + id, null, input).then(function (r) {
      if (selected !== id) { return; }
      if (!r.ok) { detail.textContent = ""; error.textContent = S.message(r, "민원을 열지 못했습니다."); return; }
      render(r.data);
    });
  }

  select.addEventListener("change", function () { filter = select.value; load(); });
  S.on("tab", function (id) {
    if (id === "tab-inbox") { if (!S.centers && S.loadCenters) { S.loadCenters(); } load(); }
  });
  S.on("snapshot", function () { load(); });
}());
