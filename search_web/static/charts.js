// Charts of /trend and /cards, drawn by the vendored uPlot from the page's
// own .json twin (data-src): the numbers are the ones in the table below.
(function () {
  "use strict";
  var COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
  var COLORS = ["#8b1a1a", "#1f5fa8", "#1f7a3a", "#b86e00", "#6b3fa0", "#555"];

  // Years as written (2024, not 2,024).
  function yearLabel(u, v) { return v === null || v === undefined ? "--" : String(v); }

  function width(el) { return Math.max(280, el.clientWidth || 600); }

  // A share is drawn only over page.min_reports reports or more (the table
  // lists it all the same); a year with no report at all is a gap (null).
  function trendValue(p, measure) {
    if (!p.reports_in_year) { return null; }
    if (measure !== "share") { return p[measure]; }
    return p.drawn && p.share !== null ? Math.round(p.share * 1000) / 10 : null;
  }

  function trendData(page, measure) {
    var ctx = {offset: 0};      // where the drawn years start (trimmed)
    var data = [page.years];
    var series = [{label: "年度", value: yearLabel}];
    page.series.forEach(function (s, i) {
      data.push(s.points.map(function (p) { return trendValue(p, measure); }));
      series.push({label: "“" + s.query + "”", stroke: COLORS[i % COLORS.length], width: 2,
                   points: {show: true, size: 6},
                   // The legend says what a share is of: n reports that year.
                   value: function (u, v, si, idx) {
                     if (idx === null || idx === undefined || v === null) { return "--"; }
                     var p = s.points[idx + ctx.offset];
                     return measure === "share" ? v + "%（" + p.reports + "/" + p.reports_in_year + " 份）"
                       : v + (measure === "reports" ? " 份" : " 段");
                   }});
    });
    var urls = page.series.map(function (s) { return s.points.map(function (p) { return p.url; }); });
    var unit = measure === "share" ? "占当年报告 %" : (measure === "reports" ? "报告数" : "段落数");
    return {data: data, series: series, unit: unit, urls: urls, ctx: ctx};
  }

  // One query split by agency kind or province: reports per group per year
  // (one chart per query: small multiples).
  function groupsData(page, index) {
    var groups = page.series[index].groups;
    var data = [page.years];
    var series = [{label: "年度", value: yearLabel}];
    groups.forEach(function (g, i) {
      data.push(g.points.map(function (p, k) { return page.reports_in_year[k] ? p.reports : null; }));
      series.push({label: g.value, stroke: COLORS[i % COLORS.length], width: 2, points: {show: true, size: 5},
                   value: function (u, v) { return v === null || v === undefined ? "--" : v + " 份"; }});
    });
    var urls = groups.map(function (g) { return g.points.map(function (p) { return p.url; }); });
    return {data: data, series: series, unit: "报告数", urls: urls};
  }

  function share(value, drawn) { return drawn && value !== null ? Math.round(value * 1000) / 10 : null; }

  function cardsData(page) {
    var ctx = {offset: 0};
    var years = page.view.years;
    function at(idx) { return years[idx + ctx.offset]; }
    return {
      data: [years.map(function (y) { return y.year; }),
             years.map(function (y) { return share(y.share_missing_problems, y.drawn_missing_problems); }),
             years.map(function (y) { return share(y.share_late, y.drawn_late); })],
      series: [{label: "年度", value: yearLabel},
               {label: "缺“存在的不足和原因”", stroke: COLORS[0], width: 2, points: {show: true, size: 6},
                value: function (u, v, si, idx) { return v === null || idx === null ? "--" : v + "%（" + at(idx).missing_problems + "/" + at(idx).reports + " 份）"; }},
               {label: "逾期发布", stroke: COLORS[1], width: 2, points: {show: true, size: 6},
                value: function (u, v, si, idx) { return v === null || idx === null ? "--" : v + "%（" + at(idx).late + "/" + at(idx).dated + " 份有日期）"; }}],
      unit: "报告 %", ctx: ctx
    };
  }

  // The x axis runs from the first year with something drawn to the last
  // (a trend: with something counted; zeros before the first hit are no data).
  function trimmed(made, zeroIsEmpty) {
    var first = -1, last = -1;
    made.data[0].forEach(function (_, k) {
      for (var i = 1; i < made.data.length; i++) {
        var v = made.data[i][k];
        if (v !== null && v !== undefined && !(zeroIsEmpty && v === 0)) {
          if (first < 0) { first = k; }
          last = k;
          return;
        }
      }
    });
    if (first < 0) { return made; }
    made.data = made.data.map(function (column) { return column.slice(first, last + 1); });
    if (made.urls) { made.urls = made.urls.map(function (column) { return column.slice(first, last + 1); }); }
    if (made.ctx) { made.ctx.offset = first; }
    return made;
  }

  // A click on the chart opens the search of the point nearest the pointer
  // (the same link as the number in the table).
  function linkPoints(plot, urls) {
    plot.over.style.cursor = "pointer";
    plot.over.addEventListener("click", function () {
      var idx = plot.cursor.idx, best = null, bestDistance = Infinity;
      if (idx === null || idx === undefined) { return; }
      urls.forEach(function (seriesUrls, i) {
        var value = plot.data[i + 1][idx];
        if (value === null || value === undefined) { return; }
        var distance = Math.abs(plot.valToPos(value, "y") - plot.cursor.top);
        if (distance < bestDistance) { bestDistance = distance; best = seriesUrls[idx]; }
      });
      if (best) { window.location.href = best; }
    });
  }

  function draw(el, page) {
    var kind = el.dataset.chart;
    var made = trimmed(kind === "trend" ? trendData(page, el.dataset.measure || "share")
      : kind === "trend-groups" ? groupsData(page, Number(el.dataset.series || 0)) : cardsData(page),
      kind !== "cards");
    var opts = {
      width: width(el), height: el.clientWidth < 500 ? 260 : 320,
      // Shares on 0–100 whatever is drawn: one point must not fill the height.
      scales: made.unit.indexOf("%") < 0 ? {x: {time: false}} : {x: {time: false}, y: {range: [0, 100]}},
      // Whole years only: no ticks or grid lines between two years.
      axes: [{incrs: [1, 2, 5, 10, 20, 50, 100], values: function (u, vals) { return vals.map(function (v) { return Number.isInteger(v) ? String(v) : ""; }); }},
             // Counts in whole numbers (no 0.5 report); shares as uPlot chooses.
             made.unit.indexOf("%") < 0 ? {label: made.unit, incrs: COUNT_STEPS} : {label: made.unit}],
      series: made.series
    };
    el.textContent = "";
    var plot = new uPlot(opts, made.data, el);
    if (made.urls) { linkPoints(plot, made.urls); }
    window.addEventListener("resize", function () { plot.setSize({width: width(el), height: opts.height}); });
    el.dataset.drawn = "true";
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    fetch(el.dataset.src, {headers: {Accept: "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (page) { if (page.ok !== false) { draw(el, page); } })
      .catch(function (err) { el.textContent = "图表无法绘制：" + err; });
  });
}());
