/* thresher EDA report: draws charts from the embedded JSON. Never uses innerHTML with data. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("eda-data").textContent);
  var ACCENT = "#3b5bdb", ACCENT_SOFT = "rgba(59,91,219,0.72)";
  if (window.Chart) {
    Chart.defaults.font.family = 'system-ui,-apple-system,"Segoe UI",Roboto,sans-serif';
    Chart.defaults.font.size = 11;
    Chart.defaults.color = "#5d6577";
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
  }

  function short(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

  function barChart(canvas, spec, horizontal) {
    if (!window.Chart || !spec) return;
    var labels = spec.labels.map(function (l) { return short(l, 28); });
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: [{ data: spec.values, backgroundColor: ACCENT_SOFT,
        borderWidth: 0, barPercentage: spec.histogram ? 1.0 : 0.8,
        categoryPercentage: spec.histogram ? 1.0 : 0.85 }] },
      options: {
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: false }, tooltip: { callbacks: {
          title: function (items) { return spec.labels[items[0].dataIndex]; },
          label: function (item) { return (spec.tooltips || {})[item.dataIndex] ||
            (spec.unit || "rows") + ": " + Number(item.raw).toLocaleString(); } } } },
        scales: {
          x: { grid: { display: horizontal }, ticks: { maxRotation: 0, autoSkip: true,
            maxTicksLimit: horizontal ? 6 : 8 } },
          y: { grid: { display: !horizontal, color: "#eef0f4" }, beginAtZero: true,
            ticks: { autoSkip: !horizontal, maxTicksLimit: horizontal ? 40 : 6 } }
        }
      }
    });
  }

  function drawOnce(canvas) {
    if (!canvas || canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    var spec = data.charts[canvas.dataset.chart];
    if (spec) barChart(canvas, spec, !!spec.horizontal);
  }

  /* variables: lazy charts, search, type filter, expand/collapse */
  var vars = Array.prototype.slice.call(document.querySelectorAll("details.var"));
  vars.forEach(function (d) {
    d.addEventListener("toggle", function () {
      if (d.open) d.querySelectorAll("canvas[data-chart]").forEach(drawOnce);
    });
  });
  var search = document.getElementById("var-search");
  var typeFilter = document.getElementById("var-type");
  function filterVars() {
    var q = (search.value || "").toLowerCase(), t = typeFilter.value, shown = 0;
    vars.forEach(function (d) {
      var ok = (!q || d.dataset.name.indexOf(q) >= 0) && (!t || d.dataset.type === t);
      d.classList.toggle("hidden", !ok);
      if (ok) shown += 1;
    });
    document.getElementById("var-count").textContent = shown + " of " + vars.length;
  }
  if (search) { search.addEventListener("input", filterVars); typeFilter.addEventListener("change", filterVars); filterVars(); }
  var expand = document.getElementById("var-expand"), collapse = document.getElementById("var-collapse");
  if (expand) expand.addEventListener("click", function () {
    vars.forEach(function (d) { if (!d.classList.contains("hidden")) d.open = true; }); });
  if (collapse) collapse.addEventListener("click", function () { vars.forEach(function (d) { d.open = false; }); });
  function openFromHash() {
    var el = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (el && el.tagName === "DETAILS") { el.open = true; el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openFromHash);
  openFromHash();

  /* alerts: filter by severity */
  var alertFilter = document.getElementById("alert-filter"), kindFilter = document.getElementById("alert-kind");
  function filterAlerts() {
    document.querySelectorAll(".alert").forEach(function (a) {
      var ok = (!alertFilter.value || a.dataset.severity === alertFilter.value) &&
        (!kindFilter.value || a.dataset.kind === kindFilter.value);
      a.classList.toggle("hidden", !ok);
    });
  }
  if (alertFilter) { alertFilter.addEventListener("change", filterAlerts); kindFilter.addEventListener("change", filterAlerts); }

  /* every other chart is drawn when the page loads */
  document.querySelectorAll("canvas[data-chart]").forEach(function (c) {
    if (!c.closest("details.var")) drawOnce(c);
  });

  /* heatmaps on canvas */
  var tip = document.getElementById("tip");
  function colour(v, signed) {
    if (v === null || v === undefined) return "#f1f3f6";
    var a = Math.min(1, Math.abs(v));
    if (signed && v < 0) return "rgba(201,42,42," + (0.08 + 0.92 * a) + ")";
    return "rgba(59,91,219," + (0.06 + 0.94 * a) + ")";
  }
  function heatmap(canvas, m) {
    var names = m.columns, n = names.length, signed = m.method === "pearson" || m.method === "spearman" || m.method === "nullity correlation";
    var cell = Math.max(7, Math.min(22, Math.floor(720 / Math.max(n, 1))));
    var ctx = canvas.getContext("2d"), label = Math.min(170, 8 + 6.2 * Math.max.apply(null, names.map(function (s) { return Math.min(String(s).length, 26); })));
    var ratio = window.devicePixelRatio || 1, w = label + n * cell + 4, h = label + n * cell + 4;
    canvas.width = w * ratio; canvas.height = h * ratio; canvas.style.width = w + "px"; canvas.style.height = h + "px";
    ctx.scale(ratio, ratio); ctx.clearRect(0, 0, w, h);
    ctx.font = (cell >= 12 ? 11 : 9) + 'px system-ui,sans-serif'; ctx.fillStyle = "#5d6577";
    ctx.textBaseline = "middle";
    for (var i = 0; i < n; i++) {
      ctx.textAlign = "right"; ctx.fillText(short(names[i], 26), label - 6, label + i * cell + cell / 2);
      ctx.save(); ctx.translate(label + i * cell + cell / 2, label - 6); ctx.rotate(-Math.PI / 2);
      ctx.textAlign = "left"; ctx.fillText(short(names[i], 26), 0, 0); ctx.restore();
      for (var j = 0; j < n; j++) {
        ctx.fillStyle = colour(m.values[i][j], signed);
        ctx.fillRect(label + j * cell, label + i * cell, cell - 1, cell - 1);
      }
      ctx.fillStyle = "#5d6577";
    }
    canvas.onmousemove = function (e) {
      var r = canvas.getBoundingClientRect(), x = Math.floor((e.clientX - r.left - label) / cell), y = Math.floor((e.clientY - r.top - label) / cell);
      if (x < 0 || y < 0 || x >= n || y >= n) { tip.style.display = "none"; return; }
      var v = m.values[y][x];
      tip.textContent = names[y] + " \u00d7 " + names[x] + ": " + (v === null ? "n/a" : v.toFixed(3));
      tip.style.left = (e.clientX + 12) + "px"; tip.style.top = (e.clientY + 12) + "px"; tip.style.display = "block";
    };
    canvas.onmouseleave = function () { tip.style.display = "none"; };
  }
  var heatSelect = document.getElementById("heat-method"), heatCanvas = document.getElementById("heat");
  if (heatSelect && heatCanvas && data.matrices.length) {
    data.matrices.forEach(function (m, i) {
      var o = document.createElement("option"); o.value = String(i); o.textContent = m.label; heatSelect.appendChild(o);
    });
    heatSelect.addEventListener("change", function () { heatmap(heatCanvas, data.matrices[+heatSelect.value]); });
    heatmap(heatCanvas, data.matrices[0]);
  }
  var nullCanvas = document.getElementById("nullity-heat");
  if (nullCanvas && data.nullity) heatmap(nullCanvas, data.nullity);
})();
