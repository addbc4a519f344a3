// Keyboard first: the shortcuts listed in the help overlay (console/shell.py SHORTCUTS, the same keys). Alt with a
// letter, matched by the physical key (event.code) so that a Korean input method does not change it, and
// never one the browser uses itself (Alt+D, Alt+E, Alt+F, Alt+Left/Right stay the browser's). "?" opens the help
// only outside text fields; Esc closes what is open and gives the focus back.
"use strict";
(function () {
  var S = window.Sori;
  if (!S) { return; }
  var help = document.getElementById("help");
  var opener = document.getElementById("help-open");
  var closer = document.getElementById("help-close");
  var before = null;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function openHelp() {
    before = document.activeElement;
    help.hidden = false;
    closer.focus();
  }
  function closeHelp() {
    if (help.hidden) { return false; }
    help.hidden = true;
    if (before && before.focus) { before.focus(); }
    return true;
  }
  opener.addEventListener("click", openHelp);
  closer.addEventListener("click", closeHelp);
  help.addEventListener("keydown", function (event) {
    if (event.key === "Tab") { event.preventDefault(); closer.focus(); }  // the dialog's one control keeps focus
  });

  function click(id) {
    var node = document.getElementById(id);
    if (node && !node.disabled && !node.hidden) { node.click(); return true; }
    return false;
  }
  function focus(id) {
    var node = document.getElementById(id);
    if (node && !node.disabled) { node.focus(); return true; }
    return false;
  }

  var ALT = {
    KeyR: function () { return click("state-ready"); },
    KeyN: function () { return click("state-not-ready"); },
    KeyH: function () { return click("hold"); },
    KeyX: function () { return click("hangup"); },
    KeyT: function () { if (S.openTransfer) { S.openTransfer(); } return true; },
    KeyM: function () { S.showTab("tab-case"); return focus("note-input"); },
    KeyW: function () { return focus("wrap-up-code"); },
    KeyS: function () { S.showTab("tab-tools"); return focus("service-query"); },
    KeyI: function () { S.showTab("tab-inbox"); return true; }
  };

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (closeHelp()) { event.preventDefault(); return; }
      S.emit("escape", null);
      return;
    }
    if (event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey && ALT[event.code]) {
      event.preventDefault();
      ALT[event.code]();
      return;
    }
    if (event.key === "?" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      event.preventDefault();
      if (help.hidden) { openHelp(); } else { closeHelp(); }
    }
  });
}());
