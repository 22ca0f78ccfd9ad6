/* Report and passage pages: bring the cited passage into view and copy its
   link or citation.  External file because the CSP allows no inline script;
   the page works without it (the link and citation stay selectable). */
(function () {
  "use strict";

  function showTarget() {
    var target = document.querySelector(".passage.target");
    // A #fragment in the URL is the reader's own choice: leave it to the browser.
    if (!target || window.location.hash) { return; }
    target.scrollIntoView({ block: "center" });
    // Focus moves keyboard and screen-reader users to the passage too.
    target.focus({ preventScroll: true });
  }

  function say(message) {
    var status = document.getElementById("copy-status");
    if (status) { status.textContent = message; }
  }

  function fallbackCopy(text) {
    // Clipboard API needs a secure context; plain http on a LAN address is not one.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(area);
    say(done ? "已复制" : "无法自动复制，请选中后按 Ctrl+C");
  }

  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var text = source.value !== undefined ? source.value : source.textContent;
    text = text.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say("已复制"); },
        function () { fallbackCopy(text); });
    } else {
      fallbackCopy(text);
    }
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () { copy(button); });
  });
  document.querySelectorAll("#permalink").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  // The contents stay open beside the text on wide screens; on a phone they
  // would push the text a screen down, so they wait behind their button.
  var toc = document.getElementById("toc");
  if (toc && window.matchMedia("(min-width: 761px)").matches) { toc.open = true; }
  showTarget();
}());
