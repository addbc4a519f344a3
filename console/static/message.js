// Messages from a supervisor: a "supervisor-message" push (it carries no text) fetches the agent's messages of
// today through the API and shows the newest in a role="status" banner until the agent acknowledges it.
"use strict";
(function () {
  var S = window.Sori;
  if (!S) { return; }
  var shown = 0;

  function banner() {
    var found = document.getElementById("supervisor-message");
    if (found) { return found; }
    var box = S.el("div", { id: "supervisor-message", role: "status", "aria-live": "polite",
      "data-testid": "supervisor-message", "class": "supervisor-message", hidden: "hidden" });
    box.style.cssText = "background:#fff3cd;border:2px solid #b58900;padding:.5rem 1rem;margin:.5rem;font-weight:bold";
    document.body.insertBefore(box, document.body.firstChild);
    return box;
  }

  function show(message) {
    var box = banner();
    box.textContent = "";
    box.appendChild(S.el("span", { "data-testid": "supervisor-message-text" },
      "관리자 " + message.from_login + " 메시지 (" + S.when(message.at).slice(11) + "): " + message.text));
    var ok = S.el("button", { type: "button", "data-testid": "supervisor-message-ok" }, "확인");
    ok.style.marginLeft = "1rem";
    ok.addEventListener("click", function () { box.hidden = true; });
    box.appendChild(ok);
    box.hidden = false;
    S.announce("관리자 메시지: " + message.text);
  }

  function load() {
    S.api("GET", "/telephony/agents/me/messages").then(function (result) {
      var list = result.ok && result.data ? result.data.messages || [] : [];
      if (list.length && list[0].message_id > shown) {
        shown = list[0].message_id;
        show(list[0]);
      }
    });
  }

  S.on("call", function (event) {
    if (event && event.kind === "supervisor-message") { load(); }
  });
}());
