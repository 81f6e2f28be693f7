/* train.html charts: reads the JSON island #train-data (built by reports/train.py). */
(function () {
  "use strict";
  var island = document.getElementById("train-data");
  if (!island || typeof Chart === "undefined") { return; }
  var data = JSON.parse(island.textContent);
  var COLORS = ["#3b5bdb", "#e8590c", "#2b8a3e", "#ae3ec9", "#c92a2a", "#1098ad", "#5c940d"];
  Chart.defaults.animation = false;
  Chart.defaults.font.size = 12;

  function line(id, labels, datasets, xTitle, yTitle) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "line",
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, elements: { point: { radius: 0 } },
        interaction: { mode: "index", intersect: false },
        scales: { x: { title: { display: true, text: xTitle }, ticks: { maxTicksLimit: 12 } },
                  y: { title: { display: true, text: yTitle } } }
      }
    });
  }

  function series(label, values, index, dashed) {
    return { label: label, data: values, borderColor: COLORS[index % COLORS.length],
      backgroundColor: COLORS[index % COLORS.length], borderWidth: 1.6,
      borderDash: dashed ? [5, 4] : [], fill: false, spanGaps: true };
  }

  var curves = data.curves;
  if (curves && curves.length) {
    var longest = 0;
    curves.forEach(function (c) { longest = Math.max(longest, c.train.length, c.valid.length); });
    var labels = [];
    for (var i = 1; i <= longest; i++) { labels.push(i); }
    var sets = [];
    curves.forEach(function (c, n) {
      if (c.valid.length) { sets.push(series(c.name + " valid", c.valid, n, false)); }
      if (c.train.length) { sets.push(series(c.name + " train", c.train, n, true)); }
    });
    line("chart-curves", labels, sets, "boosting round", data.curve_metric);
  }

  var lc = data.learning_curve;
  if (lc) {
    var lcSets = [series("train", lc.train, 0, true), series("validation", lc.valid, 1, false)];
    if (lc.dummy !== null) {
      lcSets.push(series("dummy (validation)", lc.rows.map(function () { return lc.dummy; }), 4, true));
    }
    lcSets.forEach(function (s) { s.elements = { point: { radius: 3 } }; s.pointRadius = 3; });
    line("chart-learning", lc.rows, lcSets, "training rows", lc.metric);
  }

  var imp = data.importance;
  var impCanvas = document.getElementById("chart-importance");
  if (imp && imp.labels.length && impCanvas) {
    new Chart(impCanvas, {
      type: "bar",
      data: { labels: imp.labels, datasets: [{ label: "gain", data: imp.values,
        backgroundColor: "#c5d0fa", borderWidth: 0 }] },
      options: { indexAxis: "y", responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { title: { display: true, text: "total gain" } } } }
    });
  }

  var th = data.threshold;
  if (th) {
    var thSets = [series("F1", th.f1, 0, false), series("cost per row", th.cost, 1, false)];
    thSets.push({ label: "chosen", data: th.thresholds.map(function (t) {
      return Math.abs(t - th.chosen) < 1e-9 ? th.f1[th.thresholds.indexOf(t)] : null; }),
      borderColor: "#c92a2a", backgroundColor: "#c92a2a", pointRadius: 6, showLine: false });
    line("chart-threshold", th.thresholds, thSets, "threshold", "F1 / cost");
  }
})();
