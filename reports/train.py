"""Train renderers: `TrainReport` (+ card) -> one self-contained `train.html`; card -> Markdown.

Pure: the charts only reshape numbers already in the report; no statistics are computed here.
"""

from __future__ import annotations

from pipelines.train.card import ModelCard
from pipelines.train.models import MeanStd, TrainReport
from reports.eda import CHART_JS, fmt_bytes, fmt_int, fmt_num
from reports.html import environment, inline_script, inline_style, json_for_script

__all__ = ["chart_payload", "headline", "render_card_markdown", "render_train_html"]

_TOP_FEATURES = 25


def fmt_mean_std(value: MeanStd | None) -> str:
    """`0.912 ± 0.013`, or an en dash."""
    if value is None or value.mean is None:
        return "–"
    std = value.std or 0.0
    if std < 1e-12 * max(1.0, abs(value.mean)):  # float noise of identical folds (1 ± 5e-17)
        std = 0.0
    return f"{fmt_num(value.mean)} ± {fmt_num(std)}"


def headline(report: TrainReport) -> str:
    """One line: the task, the CV primary metric against the dummy's, and the test value."""
    primary = report.primary_metric
    board = {entry.model: entry for entry in report.leaderboard}
    cv = fmt_mean_std(report.cv.get(primary))
    dummy = board.get("dummy")
    versus = f" (dummy {fmt_mean_std(dummy.primary)})" if dummy else ""
    test = report.test.get(primary)
    return (
        f"LightGBM {report.task.kind} on `{report.task.target}`: CV {primary} {cv}{versus}; "
        f"test {primary} {fmt_num(test)}"
    )


def chart_payload(report: TrainReport) -> dict[str, object]:
    """Data for train.js: curves per fold, learning curve, top gains, threshold scan."""
    curves = [
        {
            "name": "final fit" if c.fold is None else f"fold {c.fold + 1}",
            "train": c.train,
            "valid": c.valid,
        }
        for c in report.curves
    ]
    top = report.importance[:_TOP_FEATURES]
    payload: dict[str, object] = {
        "curves": curves,
        "curve_metric": report.curves[0].metric if report.curves else "",
        "importance": {"labels": [i.feature for i in top], "values": [i.gain for i in top]},
        "learning_curve": report.learning_curve.model_dump() if report.learning_curve else None,
        "threshold": None,
    }
    if report.threshold is not None:
        t = report.threshold
        payload["threshold"] = {
            "thresholds": t.curve_thresholds,
            "f1": t.curve_f1,
            "cost": t.curve_cost,
            "chosen": t.threshold,
        }
    return payload


def render_train_html(
    report: TrainReport, card: ModelCard | None = None, *, title: str = ""
) -> str:
    """The whole page as one string (Chart.js and the page script inlined)."""
    template = environment().get_template("train.html.j2")
    metric_names = sorted({name for entry in report.leaderboard for name in entry.cv})
    return template.render(
        r=report,
        card=card,
        title=title or f"Training · {report.task.target}",
        headline=headline(report),
        metric_names=metric_names,
        css=inline_style("eda.css"),
        chart_js=inline_script(CHART_JS),
        page_js=inline_script("train.js"),
        payload=json_for_script(chart_payload(report)),
        fmt_num=fmt_num,
        fmt_int=fmt_int,
        fmt_bytes=fmt_bytes,
        fmt_mean_std=fmt_mean_std,
    )


def render_card_markdown(card: ModelCard) -> str:
    """model_card.md: the card's facts as short Markdown sections."""
    lines = [
        f"# Model card: {card.model}",
        "",
        f"- **Target**: `{card.target}` ({card.task.kind}); {card.task.decided}",
    ]
    if card.task.classes:
        lines.append(f"- **Classes**: {', '.join(f'`{c}`' for c in card.task.classes)}")
    rows = card.rows
    lines += [
        f"- **Data**: {card.data.rows:,} rows x {card.data.columns} columns"
        + (f" from `{card.data.source}`" if card.data.source else "")
        + f"; fingerprint `{card.data.sha256[:16]}…`",
        f"- **Rows**: {rows.rows_in:,} in = {rows.train:,} train + {rows.test:,} test + "
        f"{rows.set_aside:,} set aside",
        f"- **Input schema**: `{card.input_schema}` ({card.input_columns} columns)",
        f"- **Seed**: {card.seed}; threads {card.num_threads}; trained in "
        f"{card.training_seconds:.2f} s",
        "",
        "## Metrics",
        "",
        "| metric | CV (mean ± std) | test | test, dummy |",
        "| --- | --- | --- | --- |",
    ]
    for name in sorted(card.test):
        lines.append(
            f"| {name} | {fmt_mean_std(card.cv.get(name))} | {fmt_num(card.test[name])} | "
            f"{fmt_num(card.test_dummy.get(name))} |"
        )
    if card.threshold is not None:
        t = card.threshold
        lines += [
            "",
            f"Decision threshold **{t.threshold:g}** (objective `{t.objective}`, chosen on "
            f"out-of-fold predictions): F1 {t.f1:.3f} vs {t.f1_at_half:.3f} at 0.5.",
        ]
    lines += ["", "## Features", "", f"{len(card.features_used)} model features."]
    if card.features_dropped:
        lines += ["", "Dropped:", ""]
        lines += [f"- `{d.column}`: {d.reason}" for d in card.features_dropped]
    lines += ["", "## Artifacts", "", "| file | size |", "| --- | --- |"]
    lines += [f"| `{a.file}` | {fmt_bytes(a.bytes)} |" for a in card.artifacts]
    if card.latency is not None:
        lat = card.latency
        lines += [
            "",
            "## Latency",
            "",
            f"- `predict` (schema check + features + booster): {lat.predict_one_row_ms:.2f} ms "
            f"for 1 row, {lat.predict_per_1k_rows_ms:.1f} ms per 1,000 rows",
            f"- booster alone: {lat.booster_one_row_ms:.3f} ms for 1 row, "
            f"{lat.booster_per_1k_rows_ms:.2f} ms per 1,000 rows",
            f"- {lat.note}",
        ]
    if card.onnx is not None:
        o = card.onnx
        lines += [
            "",
            "## ONNX",
            "",
            f"`{o.file}` (opset {o.opset}) takes `{o.input_name}`: {o.input_dtype} "
            f"[{', '.join(o.input_shape)}], the feature pipeline's output columns in this order: "
            + ", ".join(f"`{c}`" for c in o.input_columns[:40])
            + (" …" if len(o.input_columns) > 40 else "")
            + f". Outputs: {', '.join(f'`{n}`' for n in o.outputs)}. Checked on {o.rows_checked:,} "
            f"held-out rows: max difference {o.max_abs_difference:.2e} "
            f"({'within' if o.agrees else 'OUTSIDE'} {o.tolerance:g}).",
        ]
    lines += ["", "## Parameters", ""]
    lines += [f"- `{k}`: {v}" for k, v in sorted(card.params.items())]
    lines += ["", "## Versions", ""]
    lines += [f"- {k} {v}" for k, v in sorted(card.versions.items())]
    if card.warnings:
        lines += ["", "## Warnings", ""]
        lines += [f"- {w}" for w in card.warnings]
    return "\n".join(lines) + "\n"
