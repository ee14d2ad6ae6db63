/* Kehu charts: draws an Apache ECharts chart (SVG renderer) in every element with
   data-chart="bar|pie|funnel" from the JSON data island it names (data-island: the id of a
   <script type="application/json">, a list of {label, value, link, in_chart}). The same items
   are printed as a table beside the chart (screen readers, copying), so the chart is
   decoration: without JavaScript or ECharts nothing is lost. A click on a bar or slice opens the
   filtered list behind it. */
(function () {
  "use strict";

  function items(el) {
    var island = document.getElementById(el.getAttribute("data-island"));
    if (!island) { return []; }
    try {
      return JSON.parse(island.textContent).filter(function (item) {
        return item.in_chart !== false && typeof item.value === "number";
      });
    } catch (e) {
      return [];
    }
  }

  // Display width of a label in average Latin characters (a CJK character counts two).
  function labelWidth(text) {
    var width = 0;
    for (var i = 0; i < text.length; i++) { width += text.charCodeAt(i) > 0x2e7f ? 2 : 1; }
    return width;
  }

  function option(kind, rows, width) {
    var data = rows.map(function (r) { return {name: r.label, value: r.value, link: r.link}; });
    var base = {animation: false, tooltip: {trigger: kind === "bar" ? "axis" : "item"}};
    if (kind === "pie") {
      base.series = [{type: "pie", radius: ["35%", "65%"], data: data,
                      label: {formatter: "{b}: {c}"}}];
    } else if (kind === "funnel") {
      base.series = [{type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "20%",
                      data: data, label: {position: "inside", formatter: "{b}: {c}"}}];
    } else {
      var labels = rows.map(function (r) { return String(r.label); });
      var widest = Math.max.apply(null, labels.map(labelWidth));
      base.grid = {left: 8, right: 16, top: 16, bottom: 8, containLabel: true};
      base.series = [{type: "bar", data: data, itemStyle: {color: "#1d5fbf"}}];
      // Labels that do not fit side by side (about 7 px a Latin character) lie down: the bars
      // run across and each label gets its own line, cut with "…" past 40% of the width
      // (the full label is in the tooltip and the table beside the chart).
      if (widest * 7 * labels.length > (width || 320) * 0.9) {
        base.yAxis = {type: "category", data: labels, inverse: true,
                      axisLabel: {interval: 0, width: Math.round((width || 320) * 0.4),
                                  overflow: "truncate"}};
        base.xAxis = {type: "value", minInterval: 1};
      } else {
        base.xAxis = {type: "category", data: labels, axisLabel: {interval: 0}};
        base.yAxis = {type: "value", minInterval: 1};
      }
    }
    return base;
  }

  function draw(el) {
    if (!window.echarts || el.getAttribute("data-drawn")) { return; }
    var rows = items(el);
    if (!rows.length) { el.hidden = true; return; }
    var chart = window.echarts.init(el, null, {renderer: "svg"});
    chart.setOption(option(el.getAttribute("data-chart"), rows, el.clientWidth));
    chart.on("click", function (params) {
      var link = params.data && params.data.link;
      if (link) { window.location.href = link; }
    });
    el.setAttribute("data-drawn", String(rows.length));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
