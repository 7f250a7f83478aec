// Charts of an area page, drawn with the vendored Apache ECharts from the page's JSON API.
// The tables on the page carry the same numbers; the charts only draw them.
(function () {
  "use strict";
  var box = document.getElementById("charts");
  if (!box || !window.echarts) { return; }
  var COLORS = { green: "#1a9e4b", yellow: "#e0a800", red: "#d0312d", none: "#9ca3af", refused: "#b45309" };
  var charts = [];

  function color(row, name) { return (row.color && row.color[name]) || 0; }
  function refused(row) {
    var total = 0, k;
    for (k in (row.refused || {})) { total += row.refused[k]; }
    return total;
  }
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    charts.push(c);
  }
  function stacked(labels, rows, x, L) {
    var series = ["green", "yellow", "red", "none"].map(function (name) {
      return { name: L[name], type: "bar", stack: "codes", itemStyle: { color: COLORS[name] },
               data: rows.map(function (r) { return color(r, name); }) };
    });
    series.push({ name: L.refused, type: "line", itemStyle: { color: COLORS.refused },
                  data: rows.map(refused) });
    return { animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
             grid: { left: 50, right: 16, top: 32, bottom: 28 },
             xAxis: { type: "category", data: x }, yAxis: { type: "value", minInterval: 1 }, series: series };
  }

  fetch(box.getAttribute("data-api"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(function (data) {
      var L = data.labels;
      chart("chart-days", stacked(L, data.days, data.days.map(function (d) { return d.day.slice(5); }), L));
      chart("chart-hours", stacked(L, data.hours, data.hours.map(function (h) { return h.hour + ":00"; }), L));
      var kids = data.children.filter(function (c) { return c.scans > 0 || c.checkpoints > 0; });
      chart("chart-children", {
        animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 50, right: 16, top: 32, bottom: 40 },
        xAxis: { type: "category", data: kids.map(function (c) { return c.name; }), axisLabel: { interval: 0, rotate: kids.length > 12 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: L.scans, type: "bar", itemStyle: { color: "#0f3d6e" }, data: kids.map(function (c) { return c.scans; }) },
                 { name: L.refused, type: "bar", itemStyle: { color: COLORS.refused }, data: kids.map(refused) }]
      });
      document.body.setAttribute("data-charts", "ready");
    })
    .catch(function (err) { document.body.setAttribute("data-charts", "failed: " + err.message); });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
