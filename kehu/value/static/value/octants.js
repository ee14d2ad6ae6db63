// The octant chart of /value/: a bar per octant from the page's JSON data island
// (#value-chart-data); clicking a bar opens the customer list filtered to that octant.
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("value-chart");
    var island = document.getElementById("value-chart-data");
    if (!box || !island || typeof echarts === "undefined") return;
    var data = JSON.parse(island.textContent);
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 16, bottom: 80 },
      xAxis: {
        type: "category",
        data: data.octants.map(function (o) { return o.label; }),
        axisLabel: { interval: 0, rotate: 30 },
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        type: "bar",
        name: data.title,
        data: data.octants.map(function (o) { return o.count; }),
        itemStyle: { color: "#2f6fdf" },
      }],
    });
    chart.on("click", function (params) {
      var octant = data.octants[params.dataIndex];
      if (octant) window.location.href = octant.url;
    });
    box.dataset.ready = "1";
    box.dataset.total = String(data.octants.reduce(function (n, o) { return n + o.count; }, 0));
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
