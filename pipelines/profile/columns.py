"""Per-column results: semantic type, the pass-two plan, and the final `ColumnProfile`."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from itertools import combinations

import numpy as np

from pipelines.profile.batch import BatchSummary, ColumnSummary
from pipelines.profile.detail import ColumnPlan, DetailSummary, histogram_layout
from pipelines.profile.models import (
    ColumnProfile,
    Histogram,
    NumericStats,
    SemanticType,
    TextStats,
    ValueCount,
    finite,
)
from pipelines.profile.options import ProfileOptions
from pipelines.profile.sketches import QuantileSketch

__all__ = [
    "build_column_plan",
    "column_profile",
    "duplicate_candidates",
    "is_id_name",
    "mad_from_sketch",
    "semantic_type",
]

_ID_NAME = re.compile(r"(^|[^a-z])id$|^id[^a-z]|uuid|guid|(^|[_\s])key$", re.IGNORECASE)
_CAMEL_ID = re.compile(r"[a-z](ID|Id)$")
_BOOLEAN_WORDS = {"yes", "no", "true", "false", "y", "n", "t", "f"}
_QUANTILES = {"p1": 0.01, "p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95,
              "p99": 0.99}
_DAY_MS = 86_400_000.0


def is_id_name(name: str) -> bool:
    """Whether a column name reads like an identifier (`id`, `user_id`, `Individual ID`)."""
    return bool(_ID_NAME.search(name) or _CAMEL_ID.search(name))


def _is_integer(summary: ColumnSummary) -> bool:
    return summary.dtype.startswith(("Int", "UInt"))


def semantic_type(summary: ColumnSummary, opts: ProfileOptions) -> SemanticType:
    """Classify a column as numeric, categorical, boolean, datetime, text, id or other."""
    present = summary.rows - summary.nulls
    distinct = summary.distinct.estimate
    unique_share = distinct / present if present else 0.0
    if summary.kind in ("other", "boolean", "datetime"):
        return "other" if summary.kind == "other" else summary.kind  # type: ignore[return-value]
    if summary.kind == "numeric":
        values = set(summary.top.counts) if summary.top.complete else set()
        if distinct <= 2 and values and values <= {"0", "1", "0.0", "1.0"}:
            return "boolean"
        if _is_integer(summary) and distinct > 50 and (
            (is_id_name(summary.name) and unique_share >= 0.3)
            or (unique_share >= 0.999 and (summary.increasing or summary.decreasing))
        ):
            return "id"
        return "numeric"
    words = {v.strip().lower() for v in summary.top.counts}
    if 0 < distinct <= 2 and summary.top.complete and words <= _BOOLEAN_WORDS:
        return "boolean"
    if is_id_name(summary.name) and unique_share >= 0.3 and distinct > opts.high_cardinality:
        return "id"
    if distinct <= opts.max_categories:
        return "categorical"
    mean_length = summary.lengths.mean if summary.lengths.count else 0.0
    if unique_share >= opts.unique_ratio and mean_length <= 40 and not _has_spaces(summary):
        return "id"
    return "text"


def _has_spaces(summary: ColumnSummary) -> bool:
    sample = list(summary.top.counts)[:200]
    return sum(" " in v.strip() for v in sample) > len(sample) / 2


def mad_from_sketch(sketch: QuantileSketch, median: float) -> float:
    """Median absolute deviation read from the quantile sketch (rank error as the sketch's)."""
    lo, hi = 0.0, float(max(sketch.values) - min(sketch.values)) if sketch.values else 0.0
    for _ in range(40):
        mid = (lo + hi) / 2
        inside = sketch.cdf(np.array([median + mid]))[0] - sketch.cdf(np.array([median - mid]))[0]
        if inside < 0.5:
            lo = mid
        else:
            hi = mid
    return hi


def _date_bounds(opts: ProfileOptions) -> tuple[float, float]:
    earliest = dt.datetime.fromisoformat(opts.earliest_plausible_date).replace(tzinfo=dt.UTC)
    if opts.latest_plausible_date:
        latest = dt.datetime.fromisoformat(opts.latest_plausible_date).replace(tzinfo=dt.UTC)
    else:
        latest = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    return earliest.timestamp() * 1000, latest.timestamp() * 1000


def build_column_plan(summary: ColumnSummary, opts: ProfileOptions) -> ColumnPlan | None:
    """Histogram layout, outlier fences and date bounds for a numeric or datetime column."""
    m = summary.moments
    if summary.kind not in ("numeric", "datetime") or m.count == 0:
        return None
    assert m.minimum is not None and m.maximum is not None
    integer = _is_integer(summary) or (summary.kind == "datetime" and summary.dtype == "Date")
    low, high = m.minimum, m.maximum
    if summary.dtype == "Date":  # whole days: bin on days
        low, high = low / _DAY_MS, high / _DAY_MS
    layout = histogram_layout(low, high, integer=integer, bins=opts.histogram_bins)
    start, width, bins = layout
    if summary.dtype == "Date":
        start, width = start * _DAY_MS, width * _DAY_MS
    sketch = summary.quantiles
    q1, median, q3 = sketch.quantile(0.25), sketch.quantile(0.5), sketch.quantile(0.75)
    assert q1 is not None and q3 is not None and median is not None
    iqr = q3 - q1
    mad = mad_from_sketch(sketch, median)
    date_bounds = None
    if summary.kind == "datetime":
        lo_ok, hi_ok = _date_bounds(opts)
        if m.minimum < lo_ok or m.maximum > hi_ok:
            date_bounds = (lo_ok, hi_ok)
    return ColumnPlan(
        name=summary.name,
        kind=summary.kind,
        low=start,
        width=width,
        bins=bins,
        iqr_fences=(q1 - 1.5 * iqr, q3 + 1.5 * iqr) if summary.kind == "numeric" else None,
        median=median if summary.kind == "numeric" and mad > 0 else None,
        mad=mad,
        mad_limit=3.5 * mad / 0.6745 if summary.kind == "numeric" and mad > 0 else None,
        date_bounds=date_bounds,
    )


def duplicate_candidates(batch: BatchSummary, limit: int = 200) -> list[tuple[str, str]]:
    """Pairs of columns whose summaries are identical: pass two checks them value by value."""
    groups: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for name, c in batch.columns.items():
        if c.kind == "other" or c.nulls == c.rows:
            continue
        signature = (
            c.dtype, c.nulls, c.distinct.estimate, c.moments.count, finite(c.moments.total),
            c.moments.minimum, c.moments.maximum, tuple(c.top.most_common(3)),
            c.lengths.count, finite(c.lengths.total),
        )
        groups[signature].append(name)
    pairs = [pair for names in groups.values() for pair in combinations(names, 2)]
    return pairs[:limit]


def _iso(ms: float | None, dtype: str) -> str | None:
    if ms is None:
        return None
    moment = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)
    return moment.date().isoformat() if dtype == "Date" else moment.isoformat(sep=" ")


def _numeric_stats(
    summary: ColumnSummary, plan: ColumnPlan, detail: DetailSummary, *, exact: bool
) -> NumericStats:
    m, sketch = summary.moments, summary.quantiles
    quantiles = {k: finite(sketch.quantile(q)) for k, q in _QUANTILES.items()}
    q1, q3 = sketch.quantile(0.25), sketch.quantile(0.75)
    counts = detail.histograms.get(summary.name, [])
    edges = [finite(plan.low + i * plan.width) or 0.0 for i in range(plan.bins + 1)]
    labels = [_iso(e, summary.dtype) or "" for e in edges] if summary.kind == "datetime" else []
    mad = plan.mad
    return NumericStats(
        minimum=finite(m.minimum, 15),
        maximum=finite(m.maximum, 15),
        mean=finite(m.mean),
        std=finite(m.std),
        skew=finite(m.skew),
        kurtosis=finite(m.kurtosis),
        total=finite(m.total, 15),
        zeros=m.zeros,
        negatives=m.negatives,
        quantiles=quantiles,
        iqr=finite(q3 - q1) if q1 is not None and q3 is not None else None,
        mad=finite(mad),
        outliers_iqr=detail.outliers_iqr.get(summary.name, 0),
        outliers_mad=detail.outliers_mad.get(summary.name, 0),
        histogram=Histogram(edges=edges, counts=counts, labels=labels) if counts else None,
        sketch=[finite(v, 12) or 0.0 for v in sketch.values],
        quantiles_exact=exact,
    )


def column_profile(
    summary: ColumnSummary,
    plan: ColumnPlan | None,
    detail: DetailSummary,
    opts: ProfileOptions,
    *,
    batches: int,
    repairs: dict[str, int] | None = None,
    original_name: str | None = None,
) -> ColumnProfile:
    """Assemble the final profile of one column from its merged summaries."""
    present = summary.rows - summary.nulls
    distinct = summary.distinct.estimate if batches > 1 else (summary.distinct.exact or 0)
    semantic = semantic_type(summary, opts)
    monotonic = "none"
    if present > 2 and distinct > 2 and summary.kind != "other":
        monotonic = (
            "increasing" if summary.increasing else "decreasing" if summary.decreasing else "none"
        )
    numeric = (
        _numeric_stats(summary, plan, detail, exact=batches == 1) if plan is not None else None
    )
    text = None
    if summary.kind == "string":
        lengths = summary.lengths
        text = TextStats(
            min_length=finite(lengths.minimum),
            mean_length=finite(lengths.mean),
            max_length=finite(lengths.maximum),
            numeric_like=summary.numeric_text,
        )
    is_date = summary.kind == "datetime"
    tracked = dict(summary.top.most_common(opts.tracked_values))
    return ColumnProfile(
        name=summary.name,
        dtype=summary.dtype,
        semantic_type=semantic,
        count=present,
        nulls=summary.nulls,
        null_share=finite(summary.nulls / summary.rows if summary.rows else 0.0) or 0.0,
        distinct=distinct,
        distinct_exact=batches == 1 or summary.distinct.is_exact,
        unique_share=finite(distinct / present if present else 0.0) or 0.0,
        monotonic=monotonic,  # type: ignore[arg-type]
        numeric=numeric,
        text=text,
        minimum_label=_iso(summary.moments.minimum, summary.dtype) if is_date else None,
        maximum_label=_iso(summary.moments.maximum, summary.dtype) if is_date else None,
        top_values=[ValueCount(value=k, count=v) for k, v in summary.top.most_common(
            opts.top_values)],
        top_values_exact=summary.top.complete or summary.top.error == 0,
        tracked_counts=tracked if semantic in ("categorical", "boolean") else {},
        repairs=dict(sorted((repairs or {}).items())),
        original_name=original_name,
        impossible_dates=detail.impossible_dates.get(summary.name, 0),
    )
