/* The analyses' charts (issue 18): Apache ECharts drawn from the page's JSON island
   (#analysis-data). Every chart's figures are also in the table under it. */
(function () {
  "use strict";
  function start() {
    var island = document.getElementById("analysis-data");
    if (!island || typeof echarts === "undefined") { return; }
    var data = JSON.parse(island.textContent);
    var drill = document.getElementById("analysis-words");
    var charts = [];
    data.charts.forEach(function (chart) {
      var el = document.querySelector('[data-chart="' + chart.key + '"]');
      if (!el || !chart.rows.length) { return; }
      var option = optionFor(chart);
      if (!option) { el.remove(); return; }
      var instance = echarts.init(el, null, { renderer: "svg" });
      instance.setOption(option);
      if (chart.kind === "map") {
        instance.on("click", function (params) {
          if (!params.data || !params.data.province || !drill) { return; }
          var query = new URLSearchParams(window.location.search);
          query.set("region", params.data.province);
          window.location.href = drill.dataset.drill + "?" + query.toString();
        });
      }
      charts.push(instance);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  function category(chart, row) {
    var first = chart.series.length ? Math.min.apply(null, chart.series) : 1;
    return row.slice(0, first).filter(function (v) { return v !== null && v !== ""; }).join(" › ");
  }

  function value(chart, index, v) {
    if (v === null) { return null; }
    return chart.percent.indexOf(index) >= 0 ? Math.round(v * 1000) / 10 : v;
  }

  function optionFor(chart) {
    var tooltip = { trigger: chart.kind === "pie" || chart.kind === "funnel" || chart.kind === "map" ? "item" : "axis", confine: true };
    var names = chart.rows.map(function (row) { return category(chart, row); });
    if (chart.kind === "pie" || chart.kind === "funnel") {
      var col = chart.series[0];
      return {
        tooltip: tooltip,
        series: [{
          type: chart.kind, name: chart.columns[col],
          radius: chart.kind === "pie" ? ["30%", "65%"] : undefined,
          sort: chart.kind === "funnel" ? "none" : undefined,
          data: chart.rows.map(function (row, i) { return { name: names[i], value: row[col] }; })
        }]
      };
    }
    if (chart.kind === "map") {
      if (!echarts.getMap("china")) { return bars(chart, names, tooltip, "bar"); }
      var max = 0;
      var points = chart.rows.filter(function (row) { return row[2]; }).map(function (row) {
        max = Math.max(max, row[1]);
        return { name: row[2], value: row[1], province: row[0] };
      });
      return {
        tooltip: tooltip,
        visualMap: { min: 0, max: max || 1, calculable: true, left: "left", bottom: 0, inRange: { color: ["#e0ecff", "#1d5fbf"] } },
        series: [{ type: "map", map: "china", roam: false, name: chart.columns[1], data: points }]
      };
    }
    return bars(chart, names, tooltip, chart.kind);
  }

  function bars(chart, names, tooltip, kind) {
    var horizontal = names.length > 12 && kind !== "line" && kind !== "stack";
    var series = chart.series.map(function (col) {
      return {
        type: kind === "line" ? "line" : "bar",
        stack: kind === "stack" ? "all" : undefined,
        name: chart.columns[col],
        data: chart.rows.map(function (row) { return value(chart, col, row[col]); })
      };
    });
    var categoryAxis = { type: "category", data: names, axisLabel: { hideOverlap: true } };
    var valueAxis = { type: "value" };
    // Two series of very different size (revenue and deals): the second gets its own axis.
    if (series.length === 2 && !horizontal && kind !== "stack") {
      var peak = series.map(function (s) { return Math.max.apply(null, s.data.concat([0])); });
      if (peak[1] > 0 && peak[0] / peak[1] > 20) {
        series[1].yAxisIndex = 1;
        return {
          tooltip: tooltip,
          legend: { type: "scroll", top: 0 },
          grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
          xAxis: categoryAxis,
          yAxis: [valueAxis, { type: "value", splitLine: { show: false } }],
          series: series
        };
      }
    }
    return {
      tooltip: tooltip,
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? Object.assign({ inverse: true }, categoryAxis) : valueAxis,
      series: series
    };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
