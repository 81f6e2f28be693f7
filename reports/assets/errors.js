/* thresher error-analysis report: draws charts from the embedded JSON. Never uses innerHTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("errors-data").textContent);
  if (!window.Chart) return;
  Chart.defaults.font.family = 'system-ui,-apple-system,"Segoe UI",Roboto,sans-serif';
  Chart.defaults.font.size = 11;
  Chart.defaults.color = "#5d6577";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var COLORS = ["#3b5bdb", "#e8590c", "#2b8a3e", "#c92a2a", "#7048e8", "#1098ad"];

  function short(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }
  function fmt(v) { return data.rate ? (100 * v).toFixed(1) + "%" : Number(v).toPrecision(4); }
  function byId(id) { return document.getElementById(id); }

  function line(canvas, labels, series, opts) {
    opts = opts || {};
    new Chart(canvas, {
      type: "line",
      data: { labels: labels, datasets: series.map(function (s, i) {
        return { label: s.label, data: s.data, borderColor: s.color || COLORS[i % COLORS.length],
          backgroundColor: s.fill || "transparent", fill: s.fillTo === undefined ? false : s.fillTo,
          borderDash: s.dash || [], pointRadius: s.points === false ? 0 : 2, tension: 0,
          borderWidth: s.width || 2 };
      }) },
      options: { plugins: { legend: { display: series.length > 1, position: "bottom",
        labels: { boxWidth: 12, filter: function (item) { return !!item.text; } } } },
        scales: { x: { type: opts.linearX ? "linear" : "category", min: opts.min, max: opts.max,
          ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 10,
            callback: opts.linearX ? undefined : function (v) { return short(this.getLabelForValue(v), 18); } } },
          y: { beginAtZero: !!opts.zero, grid: { color: "#eef0f4" } } } }
    });
  }

  function bars(canvas, labels, series, horizontal) {
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels.map(function (l) { return short(l, 28); }), datasets: series.map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: s.colors || COLORS[i % COLORS.length], borderWidth: 0 };
      }) },
      options: { indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: series.length > 1, position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { title: function (items) { return labels[items[0].dataIndex]; } } } },
        scales: { x: { ticks: { maxRotation: 0, autoSkip: true } }, y: { beginAtZero: true, grid: { color: "#eef0f4" } } } }
    });
  }

  var cal = data.calibration, c = byId("chart-calibration");
  if (cal && c) {
    new Chart(c, { type: "scatter", data: { datasets: [
      { label: "model", data: cal.predicted.map(function (p, i) { return { x: p, y: cal.observed[i] }; }),
        showLine: true, borderColor: COLORS[0], backgroundColor: COLORS[0] },
      { label: "perfect", data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], showLine: true, borderDash: [4, 4],
        borderColor: "#8a92a3", pointRadius: 0 } ] },
      options: { plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { x: { min: 0, max: 1, title: { display: true, text: "mean predicted" } },
          y: { min: 0, max: 1, title: { display: true, text: "observed" } } } } });
  }
  var th = data.thresholds, t = byId("chart-thresholds");
  if (th && t) {
    var names = Object.keys(th.series);
    line(t, th.x.map(function (x) { return x.toFixed(2); }),
      names.map(function (n) { return { label: n, data: th.series[n] }; }), { zero: true });
  }
  var res = data.residuals, r = byId("chart-residuals");
  if (res && r) {
    line(r, res.labels, [{ label: "mean residual", data: res.mean },
      { label: "mean |residual|", data: res.absolute }, { label: "std", data: res.std, dash: [4, 4] }]);
  }
  document.querySelectorAll("canvas[data-residual]").forEach(function (canvas) {
    var spec = data.residual_features[Number(canvas.dataset.residual)];
    if (spec) line(canvas, spec.labels, [{ label: "mean residual", data: spec.mean },
      { label: "mean |residual|", data: spec.absolute }]);
  });

  function drawSlice(canvas) {
    if (canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    var spec = data.slices[Number(canvas.dataset.sliceChart)];
    if (!spec) return;
    var colors = spec.error.map(function (e, i) {
      return spec.small[i] ? "rgba(138,146,163,0.5)" : (spec.low[i] > data.overall ? "rgba(201,42,42,0.75)" : "rgba(59,91,219,0.72)");
    });
    new Chart(canvas, { type: "bar", data: { labels: spec.labels.map(function (l) { return short(l, 24); }),
      datasets: [{ label: "error", data: spec.error, backgroundColor: colors, borderWidth: 0 },
        { type: "line", label: "overall", data: spec.error.map(function () { return data.overall; }),
          borderColor: "#8a92a3", borderDash: [4, 4], pointRadius: 0, borderWidth: 1.5 }] },
      options: { plugins: { legend: { display: false }, tooltip: { callbacks: {
        title: function (items) { return spec.labels[items[0].dataIndex]; },
        label: function (item) { var i = item.dataIndex; return "error " + fmt(spec.error[i]) + " (" +
          fmt(spec.low[i]) + "\u2013" + fmt(spec.high[i]) + "), " + spec.rows[i].toLocaleString() + " rows"; } } } },
        scales: { y: { beginAtZero: true, grid: { color: "#eef0f4" } }, x: { ticks: { maxRotation: 0, autoSkip: true } } } } });
  }
  document.querySelectorAll("details.fs").forEach(function (d) {
    d.addEventListener("toggle", function () {
      if (d.open) d.querySelectorAll("canvas[data-slice-chart]").forEach(drawSlice);
    });
  });

  var imp = data.importance, ic = byId("chart-importance");
  if (imp && ic) {
    bars(ic, imp.labels, [{ label: "mean |SHAP|", data: imp.shap }, { label: "permutation", data: imp.permutation },
      { label: "gain", data: imp.gain }], true);
  }
  var bee = data.beeswarm, bc = byId("chart-beeswarm");
  function jitter(i) { var x = Math.sin(i * 12.9898) * 43758.5453; return (x - Math.floor(x)) * 0.6 - 0.3; }
  function heat(rank) {
    if (rank === null || rank === undefined) return "rgba(138,146,163,0.55)";
    var red = Math.round(40 + 200 * rank), blue = Math.round(230 - 190 * rank);
    return "rgba(" + red + ",70," + blue + ",0.7)";
  }
  if (bee && bee.length && bc) {
    var points = [], colors = [];
    bee.forEach(function (f, row) {
      f.shap.forEach(function (s, i) { points.push({ x: s, y: row + jitter(i + 31 * row) }); colors.push(heat(f.rank[i])); });
    });
    new Chart(bc, { type: "scatter", data: { datasets: [{ data: points, backgroundColor: colors, pointRadius: 2.2, borderWidth: 0 }] },
      options: { plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: { y: { reverse: true, min: -0.6, max: bee.length - 0.4, afterBuildTicks: function (axis) {
            axis.ticks = bee.map(function (_, i) { return { value: i }; }); },
          ticks: { callback: function (v) { return bee[v] ? short(bee[v].feature, 22) : ""; } }, grid: { display: false } },
          x: { title: { display: true, text: "SHAP value" }, grid: { color: "#eef0f4" } } } } });
  }
  document.querySelectorAll("canvas[data-dependence]").forEach(function (canvas) {
    var spec = data.dependence[Number(canvas.dataset.dependence)];
    if (!spec) return;
    line(canvas, spec.labels, [
      { label: "", data: spec.high, color: "rgba(59,91,219,0.15)", points: false, width: 1 },
      { label: "", data: spec.low, color: "rgba(59,91,219,0.15)", fill: "rgba(59,91,219,0.12)", fillTo: "-1", points: false, width: 1 },
      { label: "mean SHAP", data: spec.mean, color: COLORS[0] }]);
  });
})();
