"""Error-analysis renderers: `ErrorAnalysisReport` -> one self-contained HTML page, Markdown.

Pure: the page reshapes numbers already in the report (no statistics here). Sections read
top-down as a reviewer works: headline metrics -> where it fails (cohorts, slices, worst
rows) -> why (importance, data quality) -> what to fix (label suspects, fairness, actions).
"""

from __future__ import annotations

from pipelines.error_analysis.models import ErrorAnalysisReport, Metric
from reports.eda import CHART_JS, fmt_int, fmt_num, fmt_pct
from reports.html import environment, inline_script, inline_style, json_for_script

__all__ = ["METRIC_LABELS", "chart_payload", "render_errors_html", "render_errors_markdown"]

METRIC_LABELS = {
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "log_loss": "Log loss",
    "roc_auc": "ROC AUC",
    "roc_auc_ovr_macro": "ROC AUC (macro)",
    "f1": "F1",
    "f1_macro": "F1 (macro)",
    "brier": "Brier score",
    "mae": "MAE",
    "rmse": "RMSE",
    "r2": "R²",
}
SECTION_LABELS = {
    "metrics": "Metrics",
    "calibration": "Calibration",
    "residuals": "Residuals",
    "cohorts": "Cohorts",
    "slices": "Slices",
    "importance": "Importance",
    "data_quality": "Data quality",
    "labels": "Labels",
    "fairness": "Fairness",
}


def _metric_text(metric: Metric) -> str:
    value = fmt_num(round(metric.value, 4))
    if metric.low is None or metric.high is None:
        return value
    return f"{value} ({fmt_num(round(metric.low, 4))}–{fmt_num(round(metric.high, 4))})"


def chart_payload(report: ErrorAnalysisReport) -> dict[str, object]:
    """Everything the page's script draws, keyed by position (never by a data value)."""
    m = report.metrics
    payload: dict[str, object] = {}
    if m.calibration is not None:
        payload["calibration"] = {
            "predicted": [b.mean_predicted for b in m.calibration.bins],
            "observed": [b.observed for b in m.calibration.bins],
            "rows": [b.rows for b in m.calibration.bins],
        }
    if m.thresholds:
        payload["thresholds"] = {
            "x": [t.threshold for t in m.thresholds],
            "series": {
                "precision": [t.precision for t in m.thresholds],
                "recall": [t.recall for t in m.thresholds],
                "F1": [t.f1 for t in m.thresholds],
                "false positive rate": [t.false_positive_rate for t in m.thresholds],
                "selection rate": [t.selection_rate for t in m.thresholds],
            },
            "chosen": m.threshold,
        }
    if m.residuals is not None:
        payload["residuals"] = {
            "labels": [b.label for b in m.residuals.by_prediction],
            "mean": [b.mean_residual for b in m.residuals.by_prediction],
            "absolute": [b.mean_absolute for b in m.residuals.by_prediction],
            "std": [b.std for b in m.residuals.by_prediction],
        }
        payload["residual_features"] = [
            {
                "labels": [b.label for b in bins],
                "mean": [b.mean_residual for b in bins],
                "absolute": [b.mean_absolute for b in bins],
            }
            for bins in m.residuals.by_feature.values()
        ]
    payload["slices"] = [
        {
            "labels": [s.label for s in f.slices],
            "error": [s.error for s in f.slices],
            "low": [s.low_interval for s in f.slices],
            "high": [s.high_interval for s in f.slices],
            "rows": [s.rows for s in f.slices],
            "small": [s.small for s in f.slices],
        }
        for f in report.slices
    ]
    payload["overall"] = m.overall_error
    payload["rate"] = report.task.kind != "regression"
    imp = report.importance
    if imp is not None:
        top = imp.features[:20]
        payload["importance"] = {
            "labels": [f.feature for f in top],
            "gain": [f.gain for f in top],
            "permutation": [f.permutation for f in top],
            "shap": [f.mean_abs_shap for f in top],
        }
        payload["beeswarm"] = [
            {"feature": s.feature, "shap": s.shap, "rank": s.value_rank} for s in imp.shap_summary
        ]
        payload["dependence"] = [
            {
                "feature": name,
                "labels": [p.label for p in points],
                "mean": [p.mean_shap for p in points],
                "low": [p.low for p in points],
                "high": [p.high for p in points],
            }
            for name, points in imp.dependence.items()
        ]
    return payload


def render_errors_html(report: ErrorAnalysisReport) -> str:
    """Render the whole report as one HTML string: styles, scripts and data inlined."""
    template = environment().get_template("errors.html.j2")
    headline = next((f for f in report.findings if f.kind == "headline"), None)
    actions = [f for f in report.findings if f.kind != "headline"]
    return template.render(
        r=report,
        m=report.metrics,
        headline=headline,
        actions=actions,
        metric_labels=METRIC_LABELS,
        section_labels=SECTION_LABELS,
        metric_text=_metric_text,
        rate=report.task.kind != "regression",
        data_json=json_for_script(chart_payload(report)),
        css=inline_style("eda.css"),
        errors_css=inline_style("errors.css"),
        chart_js=inline_script(CHART_JS),
        errors_js=inline_script("errors.js"),
        fmt_int=fmt_int,
        fmt_pct=fmt_pct,
        fmt_num=fmt_num,
        fmt_error=_fmt_error(report),
    )


def _fmt_error(report: ErrorAnalysisReport):  # type: ignore[no-untyped-def]
    if report.task.kind == "regression":
        return lambda v: "–" if v is None else fmt_num(round(v, 4))
    return fmt_pct


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_errors_markdown(report: ErrorAnalysisReport, *, max_items: int = 5) -> str:
    """Short Markdown summary (for a Prefect artifact): metrics, cohorts, slices, actions."""
    fmt = _fmt_error(report)
    m = report.metrics
    lines = [
        f"# {_md(report.title)}",
        "",
        f"**{report.rows:,} rows**, task `{report.task.kind}` on `{_md(report.task.target)}`"
        + (
            f"; {report.rows_set_aside:,} rows set aside (no target)"
            if report.rows_set_aside
            else ""
        )
        + ".",
        "",
        " · ".join(f"{METRIC_LABELS.get(x.name, x.name)} {_metric_text(x)}" for x in m.headline),
        "",
        f"## Where it fails ({len(report.cohorts)} cohorts)",
        "",
    ]
    for c in report.cohorts[:max_items]:
        lines.append(
            f"- **{_md(c.rule)}**: {fmt(c.error)} vs {fmt(m.overall_error)} overall, "
            f"{c.rows:,} rows ({fmt_pct(c.coverage)})"
        )
    if report.worst_slices:
        lines += ["", "Worst slices:", ""]
        for s in report.worst_slices[:max_items]:
            where = s.label if s.kind == "range" else f"{s.feature} = {s.label}"
            lines.append(
                f"- `{_md(where)}`: {fmt(s.error)} ({s.rows:,} rows)"
                + (" — small" if s.small else "")
            )
    lines += ["", "## What to do", ""]
    for f in report.findings:
        lines.append(f"- **{f.severity}** · {_md(f.sentence)}")
    sampled = [s for s in report.sampling if s.rows_used < s.rows_available]
    if sampled:
        listed = "; ".join(
            f"{_md(s.part)} on {s.rows_used:,} of {s.rows_available:,} rows" for s in sampled
        )
        lines += ["", f"_Sampled: {listed}._"]
    return "\n".join(lines).rstrip() + "\n"
