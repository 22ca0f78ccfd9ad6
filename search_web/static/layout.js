// Every page: on a phone the filters sit behind a 筛选 button that opens
// them above the results; a table wider than its box says it scrolls.
// (External file: the CSP allows no inline script.  Without it the filters
// stay under the results and the tables still scroll.)
(function () {
  "use strict";

  function filtersButton() {
    var button = document.querySelector("[data-filters-toggle]");
    var layout = document.querySelector(".layout");
    var facets = document.getElementById("facets");
    if (!button || !layout || !facets) { return; }
    document.documentElement.classList.add("js-filters");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = layout.classList.toggle("filters-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { facets.scrollIntoView({block: "start"}); }
    });
  }

  function tableCues() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      box.classList.toggle("scrolls", box.scrollWidth > box.clientWidth + 1);
    });
  }

  filtersButton();
  tableCues();
  window.addEventListener("resize", tableCues);
  // Charts and late fonts change widths after load.
  window.addEventListener("load", tableCues);
}());
