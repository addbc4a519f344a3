// The tools panel (도구 tab): public-service search and eligibility, certificate issuing and bill inquiry, each
// for the caller being served (Sori.contact, from the screen-pop) and each use landing on that contact's case
// (the API records it when the contact's interaction_id goes with the request). Every failure shows the API's
// Korean message in the tool's own alert; a government system that is down (503) says so in that tool only,
// and the rest of the page goes on. Double clicks need nothing here: the API derives each send's and issue's
// idempotency key from the contact, so a second click sends or issues nothing more.
"use strict";
(function () {
  var S = window.Sori;
  if (!S) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var NO_CONTACT = "통화 중인 고객이 없습니다";
  var FORMS = ["감면/면제", "교육/용역", "기술지원", "기타", "기타(교육)", "기타(상담)", "대납지원", "대여",
    "문화/여가지원", "민원", "민원안내", "봉사/기부하기", "상담/법률지원", "서비스(돌봄)", "서비스(의료)",
    "서비스(일자리)", "서비스이용권", "시설이용", "융자지원", "의료지원", "이용권", "정보제공", "현금", "현금(감면)",
    "현금(보험)", "현금(융자)", "현금(장학금)", "현금/현물", "현물"];
  var ANSWERS = { yes: "해당", no: "해당 안 됨", unknown: "확인 필요" };
  var CHANNELS = { phone: "전화", online: "온라인", counter: "방문", ivr: "ARS" };
  var DELIVERIES = { email: "이메일", fax: "팩스", post: "우편", wallet: "전자문서지갑" };
  var SENT = { queued: "발송 대기", sent: "발송", delivered: "수령", failed: "실패", accepted: "접수" };
  var served = null;  // the contact being served: {interaction_id, verified, citizen}

  function won(n) { return (Number(n) || 0).toLocaleString("ko-KR") + "원"; }

  // The words for a failed answer: Sori.message's (Korean, or nothing); a dead backend (503) says so either way.
  function problem(r, fallback) {
    var text = S.message(r, "");
    if (!text && r && r.status === 503) { return "연결된 기관 시스템을 지금 쓸 수 없습니다. 잠시 후 다시 시도해 주세요."; }
    return text || fallback;
  }

  // One tool's frame in its section: a heading, a note on the served contact, the body, an alert and a status.
  function frame(sectionId, title, key) {
    var section = $(sectionId);
    var heading = S.el("h3", { id: sectionId + "-title" }, title);
    section.setAttribute("aria-labelledby", heading.id);
    section.removeAttribute("aria-label");
    section.classList.add("tool");
    var body = S.el("div", { "class": "tool-body" });
    var alert = S.el("p", { "class": "error", role: "alert", "data-testid": "tool-error", id: key + "-error" });
    var status = S.el("p", { "class": "done", role: "status", id: key + "-done" });
    [heading, body, alert, status].forEach(function (n) { section.appendChild(n); });
    return {
      section: section, body: body,
      fail: function (text) { alert.textContent = text; status.textContent = ""; },
      ok: function (text) { alert.textContent = ""; status.textContent = text || ""; },
      busy: function (button, on) { if (button) { button.disabled = on; } }
    };
  }

  function labelled(parent, id, label, control) {
    parent.appendChild(S.el("label", { "for": id }, label));
    control.id = id;
    parent.appendChild(control);
    return control;
  }

  function select(options, attrs) {
    var node = S.el("select", attrs);
    options.forEach(function (o) { node.appendChild(S.el("option", { value: o[0] }, o[1])); });
    return node;
  }

  function facts(rows) {
    var dl = S.el("dl", { "class": "facts" });
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") { return; }
      dl.appendChild(S.el("dt", null, row[0]));
      dl.appendChild(S.el("dd", null, row[1]));
    });
    return dl;
  }

  function controls(children) {
    var div = S.el("div", { "class": "controls" });
    children.forEach(function (c) { div.appendChild(c); });
    return div;
  }

  // -- public services -------------------------------------------------------------------------------------
  var svc = frame("tool-services", "공공서비스 검색 · 자격 확인", "service");
  var sForm = S.el("form", { id: "service-form", role: "search", "data-testid": "service-form" });
  var sQuery = labelled(sForm, "service-query", "검색어 (고객이 묻는 말)", S.el("input", {
    type: "search", maxlength: "200", autocomplete: "off", required: "required", "data-testid": "service-query",
    "aria-keyshortcuts": "Alt+S"
  }));
  var sFilter = labelled(sForm, "service-filter", "지원유형",
    select([["", "전체"]].concat(FORMS.map(function (f) { return [f, f]; })), { "data-testid": "service-filter" }));
  var sButton = S.el("button", { type: "submit", "data-testid": "service-search" }, "검색");
  sForm.appendChild(controls([sButton]));
  var sResults = S.el("ul", { id: "service-results", "class": "tool-list", "aria-label": "검색 결과",
    "data-testid": "service-results" });
  var sDetail = S.el("div", { id: "service-detail", "class": "tool-detail", "data-testid": "service-detail",
    hidden: "hidden" });
  [sForm, sResults, sDetail].forEach(function (n) { svc.body.appendChild(n); });

  function contactParam() { return served ? "&interaction_id=" + served.interaction_id : ""; }

  sForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = sQuery.value.trim();
    if (!q) { svc.fail("검색어를 입력하세요."); sQuery.focus(); return; }
    var path = "/tools/public-services?q=" + encodeURIComponent(q) + contactParam();
    if (sFilter.value) { path += "&support_form=" + encodeURIComponent(sFilter.value); }
    svc.busy(sButton, true);
    S.api("GET", path, null, true).then(function (r) {
      svc.busy(sButton, false);
      sResults.textContent = "";
      if (!r.ok || !r.data) { svc.fail(problem(r, "공공서비스를 검색하지 못했습니다.")); return; }
      var items = r.data.items || [];
      svc.ok("검색 결과 " + r.data.total + "건" + (r.data.total > items.length ? " 중 " + items.length + "건" : ""));
      S.announce("공공서비스 검색 결과 " + r.data.total + "건");
      items.forEach(function (item) {
        var li = S.el("li", { "class": "tool-item" });
        var open = S.el("button", { type: "button", "class": "link", "data-testid": "service-result",
          "data-service-id": item.id }, item.name);
        open.addEventListener("click", function () { openService(item.id); });
        li.appendChild(open);
        li.appendChild(S.el("span", { "class": "muted" }, " " + (item.agency || "") +
          (item.support_form ? " · " + item.support_form : "")));
        if (item.purpose) {
          var text = item.purpose.length > 90 ? item.purpose.slice(0, 90) + "…" : item.purpose;
          li.appendChild(S.el("p", { "class": "tool-summary" }, text));
        }
        sResults.appendChild(li);
      });
      if (!items.length) { sResults.appendChild(S.el("li", { "class": "muted" }, "찾은 서비스가 없습니다.")); }
    });
  });

  function openService(id) {
    var query = served ? "?interaction_id=" + served.interaction_id : "";
    S.api("GET", "/tools/public-services/" + encodeURIComponent(id) + query, null, true).then(function (r) {
      if (!r.ok || !r.data) { svc.fail(problem(r, "서비스 내용을 불러오지 못했습니다.")); return; }
      svc.ok("");
      showService(r.data);
    });
  }

  function showService(s) {
    sDetail.textContent = "";
    sDetail.hidden = false;
    sDetail.appendChild(S.el("h4", { id: "service-name", tabindex: "-1" }, s.name));
    var plain = function (t) { return t ? String(t).split("||").join(", ") : t; };
    sDetail.appendChild(facts([["기관", s.agency], ["지원유형", s.support_form], ["신청방법", plain(s.apply)],
      ["신청기한", s.deadline], ["문의", plain(s.phone)]]));
    var more = S.el("details", { "class": "tool-more" });
    more.appendChild(S.el("summary", null, "지원대상 · 선정기준 · 지원내용"));
    more.appendChild(facts([["지원대상", s.target], ["선정기준", s.criteria], ["지원내용", s.content]]));
    sDetail.appendChild(more);
    if (s.url) { sDetail.appendChild(S.el("a", { href: s.url, target: "_blank", rel: "noopener" }, "안내 페이지")); }
    sDetail.appendChild(eligibilityForm(s));
    $("service-name").focus();
  }

  // What the screen-pop knows of the caller: age from the birth year, sex, region.
  function caller() {
    var c = served && served.citizen;
    if (!c) { return {}; }
    var region = c.region_sido ? (c.region_sido + (c.region_sigungu ? " " + c.region_sigungu : "")) : "";
    return { age: c.birth_year ? new Date().getFullYear() - c.birth_year : null, sex: c.sex || "", region: region,
      birthYear: c.birth_year };
  }

  function eligibilityForm(s) {
    var known = caller();
    var form = S.el("form", { id: "eligibility-form", "class": "sub", "data-testid": "eligibility-form" });
    form.appendChild(S.el("h4", null, "자격 확인 (입력한 것만으로 판단합니다)"));
    var age = labelled(form, "eligibility-age", "만 나이", S.el("input", { type: "number", min: "0", max: "130",
      "data-testid": "eligibility-age", inputmode: "numeric" }));
    if (known.age !== null && known.age !== undefined) {
      age.value = String(known.age);
      form.appendChild(S.el("p", { "class": "muted" }, "출생연도 " + known.birthYear + "년으로 채웠습니다 (생일 전이면 한 살 적게)."));
    }
    var sex = labelled(form, "eligibility-sex", "성별", select([["", "모름"], ["M", "남성"], ["F", "여성"]],
      { "data-testid": "eligibility-sex" }));
    sex.value = known.sex || "";
    var region = labelled(form, "eligibility-region", "거주지 (시·도 시/군/구)", S.el("input", {
      maxlength: "60", autocomplete: "off", placeholder: "경기 수원시 영통구", "data-testid": "eligibility-region" }));
    region.value = known.region || "";
    var income = labelled(form, "eligibility-income", "기준 중위소득", select([["", "모름"], ["1", "50% 이하"],
      ["2", "50% 초과 ~ 100% 이하"], ["3", "100% 초과 ~ 150% 이하"], ["4", "150% 초과 ~ 200% 이하"], ["5", "200% 초과"]],
      { "data-testid": "eligibility-income" }));
    var check = S.el("button", { type: "submit", "data-testid": "eligibility-check" }, "자격 확인");
    var link = S.el("button", { type: "button", "class": "secondary", "data-testid": "service-send-link" },
      "링크 문자 보내기");
    link.hidden = !served;
    form.appendChild(controls([check, link]));
    var result = S.el("div", { id: "eligibility-result", "data-testid": "eligibility-result", "aria-live": "polite" });
    form.appendChild(result);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { interaction_id: served ? served.interaction_id : null };
      if (age.value !== "") { body.age = Number(age.value); }
      if (sex.value) { body.sex = sex.value; }
      if (region.value.trim()) { body.region = region.value.trim(); }
      if (income.value) { body.income_band = Number(income.value); }
      svc.busy(check, true);
      S.api("POST", "/tools/public-services/" + encodeURIComponent(s.id) + "/eligibility", body, true)
        .then(function (r) {
          svc.busy(check, false);
          result.textContent = "";
          if (!r.ok || !r.data) { svc.fail(problem(r, "자격을 확인하지 못했습니다.")); return; }
          svc.ok("");
          showDecision(result, r.data);
        });
    });
    link.addEventListener("click", function () {
      if (!served) { svc.fail(NO_CONTACT); return; }
      svc.busy(link, true);
      var path = "/interactions/" + served.interaction_id + "/tools/public-services/" + encodeURIComponent(s.id) +
        "/send-link";
      S.api("POST", path, { phone_index: 0 }, true).then(function (r) {
        svc.busy(link, false);
        if (!r.ok || !r.data) { svc.fail(problem(r, "안내 문자를 보내지 못했습니다.")); return; }
        var said = r.data.replayed ? "이미 보낸 안내 문자입니다 (다시 보내지 않았습니다): " : "안내 문자를 보냈습니다: ";
        svc.ok(said + r.data.sent_to);
        S.announce(said + r.data.sent_to);
      });
    });
    return form;
  }

  function showDecision(target, d) {
    var overall = S.el("p", { "class": "answer " + d.overall, "data-testid": "eligibility-overall",
      "data-answer": d.overall }, "종합: " + (ANSWERS[d.overall] || d.overall));
    target.appendChild(overall);
    var list = S.el("ul", { "class": "tool-list", "aria-label": "조건별 판단" });
    (d.conditions || []).forEach(function (c) {
      var li = S.el("li", { "class": "condition", "data-testid": "eligibility-condition", "data-answer": c.answer });
      li.appendChild(S.el("strong", { "class": "answer " + c.answer }, ANSWERS[c.answer] || c.answer));
      li.appendChild(S.el("span", null, " " + c.label + ": " + c.reason));
      list.appendChild(li);
    });
    target.appendChild(list);
    S.announce("자격 확인: " + (ANSWERS[d.overall] || d.overall));
  }

  // -- certificates --------------------------------------------------------------------------------------
  var cert = frame("tool-certificates", "증명서 발급", "certificate");
  var cNone = S.el("p", { "class": "muted", "data-testid": "certificate-no-contact" }, NO_CONTACT);
  var cKinds = S.el("ul", { "class": "tool-list", "aria-label": "증명서 종류", "data-testid": "certificate-kinds" });
  var cForm = S.el("form", { id: "certificate-form", "class": "sub", "data-testid": "certificate-form" });
  var cKind = labelled(cForm, "certificate-kind", "증명서 (전화로 발급 가능한 것)", S.el("select",
    { "data-testid": "certificate-kind" }));
  var cDelivery = labelled(cForm, "certificate-delivery", "받는 방법 (등록된 연락처로)", S.el("select",
    { "data-testid": "certificate-delivery" }));
  var cPurpose = labelled(cForm, "certificate-purpose", "용도 (선택)", S.el("input",
    { maxlength: "100", autocomplete: "off", "data-testid": "certificate-purpose" }));
  var cIssue = S.el("button", { type: "submit", "data-testid": "certificate-issue" }, "발급");
  cForm.appendChild(controls([cIssue]));
  var cIssued = S.el("div", { "data-testid": "certificate-issued", "aria-live": "polite" });
  var cRetry = S.el("button", { type: "button", "class": "secondary", "data-testid": "certificate-kinds-load",
    hidden: "hidden" }, "종류 다시 불러오기");
  var cAll = S.el("details", { "class": "tool-more" });
  cAll.appendChild(S.el("summary", null, "증명서 종류 · 수수료 · 받는 방법"));
  cAll.appendChild(cKinds);
  [cNone, cAll, cRetry, cForm, cIssued].forEach(function (n) { cert.body.appendChild(n); });
  var kinds = null;
  var loaded = false;  // the kinds are asked for when the tools tab is first shown

  function loadKinds() {
    cRetry.hidden = true;
    S.api("GET", "/tools/certificates/kinds").then(function (r) {
      if (!r.ok || !r.data) { cert.fail(problem(r, "증명서 종류를 불러오지 못했습니다.")); cRetry.hidden = false; return; }
      kinds = r.data.kinds || [];
      cKinds.textContent = "";
      cKind.textContent = "";
      kinds.forEach(function (k) {
        var fees = Object.keys(k.fees || {}).map(function (ch) {
          return (CHANNELS[ch] || ch) + " " + won(k.fees[ch]);
        }).join(", ");
        var ways = (k.deliveries || []).map(function (d) { return DELIVERIES[d] || d; }).join(", ");
        cKinds.appendChild(S.el("li", { "class": "tool-item", "data-testid": "certificate-kind-item" },
          k.name + " (" + k.agency + ") · 수수료 " + fees + " · " + ways));
        if (k.by_phone) { cKind.appendChild(S.el("option", { value: k.id }, k.name + " · " + won(k.fees.phone))); }
      });
      fillDeliveries();
      showContact();
    });
  }
  cRetry.addEventListener("click", loadKinds);

  function fillDeliveries() {
    var kind = (kinds || []).filter(function (k) { return k.id === cKind.value; })[0];
    cDelivery.textContent = "";
    ((kind && kind.deliveries) || []).forEach(function (d) {
      cDelivery.appendChild(S.el("option", { value: d }, DELIVERIES[d] || d));
    });
  }
  cKind.addEventListener("change", fillDeliveries);

  cForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!served) { cert.fail(NO_CONTACT); return; }
    if (!cKind.value || !cDelivery.value) { cert.fail("증명서와 받는 방법을 고르세요."); return; }
    var body = { kind: cKind.value, delivery: cDelivery.value };
    if (cPurpose.value.trim()) { body.purpose = cPurpose.value.trim(); }
    var iid = served.interaction_id;
    cert.busy(cIssue, true);
    S.api("POST", "/interactions/" + iid + "/tools/certificates", body, true).then(function (r) {
      cert.busy(cIssue, false);
      if (!r.ok || !r.data) { cert.fail(problem(r, "증명서를 발급하지 못했습니다.")); return; }
      var c = r.data;
      cert.ok("발급했습니다: " + c.kind_name + " (접수번호 " + c.receipt_number + ")");
      S.announce("증명서를 발급했습니다.");
      cIssued.textContent = "";
      cIssued.appendChild(facts([["증명서", c.kind_name], ["발급번호", c.issue_number], ["접수번호", c.receipt_number],
        ["받는 분", c.name], ["받는 방법", DELIVERIES[c.delivery] || c.delivery], ["수수료", won(c.fee)]]));
      var list = S.el("ul", { "class": "tool-list", "aria-label": "발송 상태" });
      var refresh = S.el("button", { type: "button", "class": "secondary", "data-testid": "certificate-deliveries" },
        "발송 상태 새로 보기");
      cIssued.appendChild(list);
      cIssued.appendChild(controls([refresh]));
      var show = function () { deliveries(iid, c.issue_number, list); };
      refresh.addEventListener("click", show);
      show();
    });
  });

  function deliveries(iid, number, list) {
    S.api("GET", "/interactions/" + iid + "/tools/certificates/" + encodeURIComponent(number) + "/deliveries", null,
      true).then(function (r) {
      if (!r.ok || !r.data) { cert.fail(problem(r, "발송 상태를 불러오지 못했습니다.")); return; }
      list.textContent = "";
      r.data.deliveries.forEach(function (d) {
        list.appendChild(S.el("li", { "data-testid": "certificate-delivery", "data-status": d.status },
          (DELIVERIES[d.method] || d.method) + " " + d.destination + ": " + (SENT[d.status] || d.status) + " (" +
          S.when(d.updated_at) + ")"));
      });
      if (!r.data.deliveries.length) { list.appendChild(S.el("li", { "class": "muted" }, "발송 내역이 없습니다.")); }
    });
  }

  // -- bills ---------------------------------------------------------------------------------------------
  var bill = frame("tool-bills", "고지서 조회", "bill");
  var bNone = S.el("p", { "class": "muted", "data-testid": "bill-no-contact" }, NO_CONTACT);
  var bLoad = S.el("button", { type: "button", "data-testid": "bill-load" }, "고객의 고지서 조회");
  var bBar = controls([bLoad]);
  var bList = S.el("ul", { "class": "tool-list", "aria-label": "고지서 목록", "data-testid": "bill-notices" });
  var bDetail = S.el("div", { "class": "tool-detail", "data-testid": "bill-detail", hidden: "hidden" });
  [bNone, bBar, bList, bDetail].forEach(function (n) { bill.body.appendChild(n); });

  function billPath(rest) { return "/interactions/" + served.interaction_id + "/tools/bills/notices" + rest; }

  bLoad.addEventListener("click", function () {
    if (!served) { bill.fail(NO_CONTACT); return; }
    bill.busy(bLoad, true);
    S.api("GET", billPath(""), null, true).then(function (r) {
      bill.busy(bLoad, false);
      bList.textContent = "";
      bDetail.hidden = true;
      if (!r.ok || !r.data) { bill.fail(problem(r, "고지서를 불러오지 못했습니다.")); return; }
      bill.ok("고지서 " + r.data.items.length + "건");
      r.data.items.forEach(function (n) {
        var li = S.el("li", { "class": "tool-item notice status-" + n.status, "data-testid": "bill-notice",
          "data-notice-id": n.id, "data-status": n.status });
        li.appendChild(S.el("strong", null, n.kind + " " + n.period + " · " + n.status_label));
        li.appendChild(facts([["납부기한", n.effective_due], ["가산금", won(n.surcharge_won)],
          ["납부할 금액", won(n.amount_due_won)]]));
        var open = S.el("button", { type: "button", "class": "secondary", "data-testid": "bill-detail-open" }, "상세");
        var again = S.el("button", { type: "button", "class": "secondary", "data-testid": "bill-resend" },
          "다시 보내기 (" + n.notice_channel_label + ")");
        open.addEventListener("click", function () { notice(n.id); });
        again.addEventListener("click", function () { resend(n.id, again); });
        li.appendChild(controls([open, again]));
        bList.appendChild(li);
      });
      if (!r.data.items.length) { bList.appendChild(S.el("li", { "class": "muted" }, "고지서가 없습니다.")); }
    });
  });

  function notice(id) {
    S.api("GET", billPath("/" + encodeURIComponent(id)), null, true).then(function (r) {
      if (!r.ok || !r.data) { bill.fail(problem(r, "고지서를 불러오지 못했습니다.")); return; }
      var n = r.data, acct = n.virtual_account;
      bill.ok("");
      bDetail.textContent = "";
      bDetail.hidden = false;
      bDetail.appendChild(S.el("h4", { id: "bill-detail-title", tabindex: "-1" }, n.kind + " " + n.period));
      bDetail.appendChild(facts([["기관", n.agency], ["상태", n.status_label + (n.days_overdue ? " (" +
        n.days_overdue + "일 지남)" : "")], ["고지 금액", won(n.principal_won)], ["납부한 금액", won(n.paid_won)],
        ["가산금", won(n.surcharge_won)], ["납부할 금액", won(n.amount_due_won)], ["납부기한", n.effective_due],
        ["가상계좌", acct.bank + " " + acct.number + " (" + acct.holder + ")"]]));
      bDetail.appendChild(S.el("p", { "class": "muted" }, n.surcharge.name + ": " + n.surcharge.description));
      $("bill-detail-title").focus();
    });
  }

  function resend(id, button) {
    bill.busy(button, true);
    S.api("POST", billPath("/" + encodeURIComponent(id) + "/resend"), { channel: null }, true).then(function (r) {
      bill.busy(button, false);
      if (!r.ok || !r.data) { bill.fail(problem(r, "고지서를 다시 보내지 못했습니다.")); return; }
      var said = (r.data.replayed ? "이미 요청한 재발송입니다 (다시 보내지 않았습니다): " : "재발송을 접수했습니다: ") +
        r.data.channel_label + " · " + r.data.status_label;
      bill.ok(said);
      S.announce(said);
    });
  }

  // -- the contact being served --------------------------------------------------------------------------
  function showContact() {
    cNone.hidden = bNone.hidden = Boolean(served);
    cForm.hidden = !served || !kinds;  // nothing to pick until the issuer has said what it issues
    bBar.hidden = !served;
    var link = $("tool-services").querySelector("[data-testid=service-send-link]");
    if (link) { link.hidden = !served; }
  }

  S.on("pop", function (pop) {
    var iid = pop.interaction.id;
    var changed = !served || served.interaction_id !== iid;
    served = { interaction_id: iid, verified: Boolean(pop.interaction.identity_verified), citizen: pop.citizen };
    if (changed) {
      cIssued.textContent = "";
      bList.textContent = "";
      bDetail.hidden = true;
      sDetail.hidden = true;
      [cert, bill, svc].forEach(function (t) { t.ok(""); });
      if (loaded && kinds === null) { loadKinds(); }  // the issuer was down: try again for the new caller
    }
    showContact();
  });
  S.on("wrapped", function () { served = null; showContact(); });
  S.on("tab", function (id) {
    if (id === "tab-tools" && !loaded) { loaded = true; loadKinds(); }
  });
  showContact();
}());
