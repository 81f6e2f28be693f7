"""EDA renderers: `Profile` -> one self-contained HTML page, and a short Markdown summary."""

from __future__ import annotations

from pipelines.profile.models import Alert, ColumnProfile, Matrix, Profile
from reports.charts import chart_payload, column_chart_key
from reports.html import environment, inline_script, inline_style, json_for_script

__all__ = ["CHART_JS", "render_eda_html", "render_eda_markdown"]

CHART_JS = "chart-4.6.1.umd.min.js"

ALERT_LABELS = {
    "constant": "Constant",
    "near_constant": "Near-constant",
    "high_missing": "High missing",
    "structural_missing": "Structural missing",
    "unique": "Unique / ID",
    "repeated_ids": "Repeated IDs",
    "high_cardinality": "High cardinality",
    "skewed": "Skewed",
    "zero_inflated": "Zero-inflated",
    "duplicate_rows": "Duplicate rows",
    "duplicate_columns": "Duplicate columns",
    "mixed_types": "Mixed types",
    "high_correlation": "High correlation",
    "target_leakage": "Leakage suspect",
    "target_imbalance": "Target imbalance",
    "category_variants": "Spelling variants",
    "impossible_dates": "Impossible dates",
    "drift": "Drift",
}


def fmt_int(value: int | float | None) -> str:
    """Thousands separators; an en dash for missing."""
    return "–" if value is None else f"{round(value):,}"


def fmt_pct(share: float | None) -> str:
    """Format a share as a percentage with sensible precision."""
    if share is None:
        return "–"
    if 0 < share < 0.001:
        return "<0.1%"
    if 0.999 < share < 1:
        return ">99.9%"
    return f"{share:.1%}"


def fmt_num(value: float | None) -> str:
    """Compact number: up to 4 significant digits, scientific when huge or tiny."""
    if value is None:
        return "–"
    if value != 0 and (abs(value) >= 1e9 or abs(value) < 1e-3):
        return f"{value:.3g}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.1f}"


def fmt_bytes(size: int) -> str:
    """Human-readable byte size."""
    amount = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} GB"


def _stat_rows(col: ColumnProfile) -> list[tuple[str, str]]:
    rows = [
        ("Non-null", fmt_int(col.count)),
        ("Missing", f"{fmt_int(col.nulls)} ({fmt_pct(col.null_share)})"),
        ("Distinct", fmt_int(col.distinct) + ("" if col.distinct_exact else " (estimate)")),
        ("Unique share", fmt_pct(col.unique_share)),
    ]
    if col.minimum_label:
        rows += [("Earliest", col.minimum_label), ("Latest", col.maximum_label or "–")]
        if col.impossible_dates:
            rows.append(("Impossible dates", fmt_int(col.impossible_dates)))
    n = col.numeric
    if n is not None and not col.minimum_label:
        q = n.quantiles
        rows += [
            ("Mean", fmt_num(n.mean)),
            ("Std", fmt_num(n.std)),
            ("Min", fmt_num(n.minimum)),
            ("5% / 25%", f"{fmt_num(q.get('p5'))} / {fmt_num(q.get('p25'))}"),
            ("Median", fmt_num(q.get("p50"))),
            ("75% / 95%", f"{fmt_num(q.get('p75'))} / {fmt_num(q.get('p95'))}"),
            ("Max", fmt_num(n.maximum)),
            ("IQR / MAD", f"{fmt_num(n.iqr)} / {fmt_num(n.mad)}"),
            ("Skew / kurtosis", f"{fmt_num(n.skew)} / {fmt_num(n.kurtosis)}"),
            ("Zeros", f"{fmt_int(n.zeros)} ({fmt_pct(n.zeros / col.count if col.count else 0)})"),
            ("Negatives", fmt_int(n.negatives)),
            ("Outliers (IQR / MAD)", f"{fmt_int(n.outliers_iqr)} / {fmt_int(n.outliers_mad)}"),
        ]
    if col.monotonic != "none":
        rows.append(("Monotonic", col.monotonic))
    t = col.text
    if t is not None:
        rows.append(
            (
                "Length min / mean / max",
                f"{fmt_num(t.min_length)} / {fmt_num(t.mean_length)} / {fmt_num(t.max_length)}",
            )
        )
        if t.numeric_like:
            rows.append(("Numeric-looking values", fmt_int(t.numeric_like)))
    for kind, count in col.repairs.items():
        rows.append((f"Ingest repair: {kind.replace('_', ' ')}", fmt_int(count)))
    return rows


def _top_pairs(matrix: Matrix | None, limit: int = 15) -> list[tuple[str, str, float]]:
    if matrix is None:
        return []
    pairs = [
        (a, matrix.columns[j], v)
        for i, a in enumerate(matrix.columns)
        for j, v in enumerate(matrix.values[i])
        if j > i and v is not None
    ]
    return sorted(pairs, key=lambda p: -abs(p[2]))[:limit]


def _variables(profile: Profile, payload_keys: set[str]) -> list[dict[str, object]]:
    alerts_by_column: dict[str, list[Alert]] = {}
    for alert in profile.alerts:
        for name in alert.columns or ([alert.column] if alert.column else []):
            alerts_by_column.setdefault(name, []).append(alert)
    out = []
    for i, col in enumerate(profile.columns):
        key = column_chart_key(i)
        out.append(
            {
                "index": i,
                "col": col,
                "stats": _stat_rows(col),
                "alerts": alerts_by_column.get(col.name, []),
                "chart": key if key in payload_keys else None,
                "top_total": col.count,
            }
        )
    return out


def render_eda_html(profile: Profile) -> str:
    """Render the whole report as one HTML string: styles, script and data inlined."""
    index = {c.name: i for i, c in enumerate(profile.columns)}
    unified = profile.associations.matrices[0] if profile.associations.matrices else None
    template = environment().get_template("eda.html.j2")
    payload = chart_payload(profile)
    charts = payload["charts"]
    keys = set(charts) if isinstance(charts, dict) else set()
    return template.render(
        p=profile,
        variables=_variables(profile, keys),
        column_index=index,
        alert_labels=ALERT_LABELS,
        severity_counts={
            s: sum(a.severity == s for a in profile.alerts) for s in ("high", "warning", "info")
        },
        top_pairs=_top_pairs(unified),
        alert_kinds=sorted(
            {a.kind: sum(b.kind == a.kind for b in profile.alerts) for a in profile.alerts}.items()
        ),
        data_json=json_for_script(payload),
        has_chart=keys.__contains__,
        css=inline_style("eda.css"),
        chart_js=inline_script(CHART_JS),
        eda_js=inline_script("eda.js"),
        fmt_int=fmt_int,
        fmt_pct=fmt_pct,
        fmt_num=fmt_num,
        fmt_bytes=fmt_bytes,
        semantic_types=sorted({c.semantic_type for c in profile.columns}),
    )


def render_eda_markdown(profile: Profile, *, max_alerts: int = 25) -> str:
    """Short Markdown summary (for a Prefect artifact): shape, alerts, target, drift."""
    text = (
        environment()
        .get_template("eda.md.j2")
        .render(
            p=profile,
            d=profile.dataset,
            max_alerts=max_alerts,
            alert_labels=ALERT_LABELS,
            fmt_pct=fmt_pct,
            fmt_bytes=fmt_bytes,
        )
    )
    return text.rstrip("\n") + "\n"
