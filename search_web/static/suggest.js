// Completion as you type, from the index's own vocabulary (/suggest.json):
// fills the search box's <datalist>; the browser shows it.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  var list = document.getElementById(input ? input.getAttribute("list") : "");
  if (!input || !list) { return; }
  var timer = null, last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var words = input.value.trim().split(/\s+/);
      var prefix = words[words.length - 1] || "";
      if (prefix === last || prefix.length < 1 || /[:：]/.test(prefix)) { return; }
      last = prefix;
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(prefix))
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var head = words.slice(0, -1).join(" ");
          list.textContent = "";
          (data.completions || []).forEach(function (c) {
            var option = document.createElement("option");
            option.value = (head ? head + " " : "") + c.word;
            option.label = c.passages + " 段";
            list.appendChild(option);
          });
        })
        .catch(function () { /* no completion is no harm */ });
    }, 150);
  });
}());
