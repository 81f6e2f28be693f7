"""Chart payloads for the EDA page: reshapes numbers already in the `Profile`; no statistics."""

from __future__ import annotations

from pipelines.profile.models import ColumnProfile, Matrix, Profile

__all__ = ["chart_payload", "column_chart_key"]

_MATRIX_LABELS = {
    "association": "Unified association (0–1)",
    "pearson": "Pearson r",
    "spearman": "Spearman ρ",
    "cramers v": "Cramér's V",
}


def column_chart_key(index: int) -> str:
    """Key of a column's chart in the payload (by position, never by a data value)."""
    return f"col{index}"


def _fmt_edge(value: float) -> str:
    if abs(value) >= 1e5 or (0 < abs(value) < 1e-3):
        return f"{value:.3g}"
    return f"{value:,.4g}"


def _column_chart(col: ColumnProfile) -> dict[str, object] | None:
    numeric = col.numeric
    if (
        numeric is not None
        and numeric.histogram is not None
        and col.semantic_type in ("numeric", "datetime", "id")
    ):
        hist = numeric.histogram
        edges = hist.labels or [_fmt_edge(e) for e in hist.edges]
        labels = [f"{edges[i]} – {edges[i + 1]}" for i in range(len(hist.counts))]
        if hist.edges and hist.edges[1] - hist.edges[0] == 1.0 and not hist.labels:
            labels = [_fmt_edge(e + 0.5) for e in hist.edges[:-1]]
        return {"labels": labels, "values": hist.counts, "histogram": True}
    if col.top_values:
        shown = col.top_values
        labels = [v.value for v in shown]
        return {"labels": labels, "values": [v.count for v in shown], "horizontal": True}
    return None


def _matrix(m: Matrix) -> dict[str, object]:
    return {
        "method": m.method,
        "label": _MATRIX_LABELS.get(m.method, m.method),
        "columns": m.columns,
        "values": m.values,
    }


def chart_payload(profile: Profile) -> dict[str, object]:
    """Everything the page's script draws, keyed by position rather than by data values."""
    charts: dict[str, object] = {}
    for i, col in enumerate(profile.columns):
        chart = _column_chart(col)
        if chart is not None:
            charts[column_chart_key(i)] = chart
    missing = sorted(
        (c for c in profile.columns if c.nulls), key=lambda c: (-c.null_share, c.name)
    )[:60]
    if missing:
        charts["missing"] = {
            "labels": [c.name for c in missing],
            "values": [round(c.null_share * 100, 2) for c in missing],
            "unit": "% missing",
            "horizontal": True,
        }
    per_row = profile.missingness.nulls_per_row
    if per_row:
        charts["nulls_per_row"] = {
            "labels": list(per_row),
            "values": list(per_row.values()),
            "histogram": True,
        }
    target = profile.target
    if target is not None:
        col = profile.column(target.column)
        chart = _column_chart(col)
        if target.classes:
            chart = {
                "labels": [v.value for v in target.classes],
                "values": [v.count for v in target.classes],
                "horizontal": True,
            }
        if chart is not None:
            charts["target"] = chart
        top = target.associations[:25]
        if top:
            charts["target_assoc"] = {
                "labels": [a.column for a in top],
                "values": [max(a.value, a.missingness_value or 0.0) for a in top],
                "unit": "association",
                "horizontal": True,
            }
    nullity = profile.missingness.nullity_correlation
    return {
        "charts": charts,
        "matrices": [_matrix(m) for m in profile.associations.matrices],
        "nullity": _matrix(nullity) if nullity is not None else None,
    }
