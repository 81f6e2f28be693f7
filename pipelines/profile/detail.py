"""Pass two: counts that need pass-one results, plus the row sample for pairwise statistics.

Pass-one results decide histogram bounds, outlier fences, candidate duplicate columns and
date bounds.

All counts are sums over batches, so they merge exactly; the sample is a Bernoulli sample per
batch with a fixed seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import polars as pl

from pipelines.profile.batch import StorageKind, numeric_expr

_K = TypeVar("_K")

__all__ = [
    "ColumnPlan",
    "DetailPlan",
    "DetailSummary",
    "combine",
    "detail_from_counts",
    "histogram_layout",
    "summarise_detail",
]


@dataclass(frozen=True)
class ColumnPlan:
    """What pass two counts for one numeric or datetime column."""

    name: str
    kind: StorageKind
    low: float
    width: float
    bins: int
    iqr_fences: tuple[float, float] | None = None
    median: float | None = None
    mad: float | None = None
    mad_limit: float | None = None
    date_bounds: tuple[float, float] | None = None


@dataclass(frozen=True)
class DetailPlan:
    """Everything pass two computes, decided from the merged pass-one summary."""

    columns: tuple[ColumnPlan, ...] = ()
    duplicate_candidates: tuple[tuple[str, str], ...] = ()
    sample_fraction: float = 1.0
    sample_columns: tuple[str, ...] = ()
    seed: int = 0


@dataclass(frozen=True)
class DetailSummary:
    """Mergeable pass-two counts and the row sample."""

    histograms: dict[str, list[int]] = field(default_factory=dict)
    outliers_iqr: dict[str, int] = field(default_factory=dict)
    outliers_mad: dict[str, int] = field(default_factory=dict)
    impossible_dates: dict[str, int] = field(default_factory=dict)
    mismatches: dict[tuple[str, str], int] = field(default_factory=dict)
    sample: pl.DataFrame = field(default_factory=pl.DataFrame)

    def merge(self, other: DetailSummary) -> DetailSummary:
        """Add counts element-wise and stack the samples."""
        return DetailSummary(
            histograms={
                k: [a + b for a, b in zip(v, other.histograms[k], strict=True)]
                for k, v in self.histograms.items()
            },
            outliers_iqr=_add(self.outliers_iqr, other.outliers_iqr),
            outliers_mad=_add(self.outliers_mad, other.outliers_mad),
            impossible_dates=_add(self.impossible_dates, other.impossible_dates),
            mismatches=_add(self.mismatches, other.mismatches),
            sample=pl.concat([self.sample, other.sample], how="vertical_relaxed"),
        )


def detail_from_counts(plans: list[tuple[ColumnPlan, dict[float, int]]]) -> DetailSummary:
    """Pass-two counts computed exactly from complete value counts (no scan of the data).

    Uses the same arithmetic as `summarise_detail`, so both paths give identical bins.
    """
    histograms: dict[str, list[int]] = {}
    iqr: dict[str, int] = {}
    mad: dict[str, int] = {}
    dates: dict[str, int] = {}
    for plan, numbers in plans:
        values = np.fromiter(numbers.keys(), dtype=np.float64, count=len(numbers))
        counts = np.fromiter(numbers.values(), dtype=np.int64, count=len(numbers))
        # the bin index comes from the very same polars expression as in the scan
        index = pl.DataFrame({"v": values}).select(_bin_index(pl.col("v"), plan)).to_series()
        histograms[plan.name] = np.bincount(
            index.to_numpy().astype(np.int64), weights=counts, minlength=plan.bins
        ).astype(np.int64).tolist()
        if plan.iqr_fences is not None:
            lo, hi = plan.iqr_fences
            iqr[plan.name] = int(counts[(values < lo) | (values > hi)].sum())
        if plan.median is not None and plan.mad_limit is not None:
            mad[plan.name] = int(counts[np.abs(values - plan.median) > plan.mad_limit].sum())
        if plan.date_bounds is not None:
            lo, hi = plan.date_bounds
            dates[plan.name] = int(counts[(values < lo) | (values > hi)].sum())
    return DetailSummary(histograms, iqr, mad, dates)


def combine(a: DetailSummary, b: DetailSummary) -> DetailSummary:
    """Union of two detail summaries about different columns (b's sample is kept)."""
    return DetailSummary(
        histograms={**a.histograms, **b.histograms},
        outliers_iqr={**a.outliers_iqr, **b.outliers_iqr},
        outliers_mad={**a.outliers_mad, **b.outliers_mad},
        impossible_dates={**a.impossible_dates, **b.impossible_dates},
        mismatches={**a.mismatches, **b.mismatches},
        sample=b.sample,
    )


def _add(a: dict[_K, int], b: dict[_K, int]) -> dict[_K, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in a.keys() | b.keys()}


def histogram_layout(
    minimum: float, maximum: float, *, integer: bool, bins: int
) -> tuple[float, float, int]:
    """Return (low edge, bin width, bin count) of a histogram.

    Integer ranges narrower than `bins` get one bin per value, everything else `bins` equal
    bins from min to max.
    """
    span = maximum - minimum
    if integer and span + 1 <= bins:
        return minimum - 0.5, 1.0, int(span) + 1
    if span <= 0:
        return minimum - 0.5, 1.0, 1
    if integer:
        width = math.ceil((span + 1) / bins)
        return minimum - 0.5, float(width), math.ceil((span + 1) / width)
    return minimum, span / bins, bins


def _bin_index(x: pl.Expr, plan: ColumnPlan) -> pl.Expr:
    return ((x - plan.low) / plan.width).floor().clip(0, plan.bins - 1).cast(pl.Int32)


def _plan_exprs(i: int, plan: ColumnPlan) -> list[pl.Expr]:
    x = numeric_expr(plan.name, plan.kind)
    p = f"d{i}_"
    index = _bin_index(x, plan)
    exprs = [index.drop_nulls().value_counts(name="n").implode().alias(p + "hist")]
    if plan.iqr_fences is not None:
        lo, hi = plan.iqr_fences
        exprs.append(((x < lo) | (x > hi)).sum().alias(p + "iqr"))
    if plan.median is not None and plan.mad_limit is not None:
        exprs.append(((x - plan.median).abs() > plan.mad_limit).sum().alias(p + "mad"))
    if plan.date_bounds is not None:
        lo, hi = plan.date_bounds
        exprs.append(((x < lo) | (x > hi)).sum().alias(p + "dates"))
    return exprs


def summarise_detail(batch: pl.DataFrame, plan: DetailPlan, batch_index: int) -> DetailSummary:
    """Count pass-two statistics for one batch in one `select` and draw its sample rows."""
    exprs: list[pl.Expr] = []
    for i, col in enumerate(plan.columns):
        exprs += _plan_exprs(i, col)
    for j, (a, b) in enumerate(plan.duplicate_candidates):
        exprs.append((~pl.col(a).eq_missing(pl.col(b))).sum().alias(f"m{j}"))
    row = batch.select(exprs).row(0, named=True) if exprs else {}
    histograms: dict[str, list[int]] = {}
    iqr: dict[str, int] = {}
    mad: dict[str, int] = {}
    dates: dict[str, int] = {}
    for i, col in enumerate(plan.columns):
        p = f"d{i}_"
        counts = [0] * col.bins
        for item in row[p + "hist"]:
            key = next(k for k in item if k != "n")
            counts[int(item[key])] += int(item["n"])
        histograms[col.name] = counts
        if p + "iqr" in row:
            iqr[col.name] = int(row[p + "iqr"] or 0)
        if p + "mad" in row:
            mad[col.name] = int(row[p + "mad"] or 0)
        if p + "dates" in row:
            dates[col.name] = int(row[p + "dates"] or 0)
    mismatches = {
        pair: int(row[f"m{j}"]) for j, pair in enumerate(plan.duplicate_candidates)
    }
    selected = batch.select(plan.sample_columns) if plan.sample_columns else batch
    if plan.sample_fraction < 1.0:
        selected = selected.sample(
            fraction=plan.sample_fraction, seed=plan.seed + batch_index, shuffle=False
        )
    return DetailSummary(histograms, iqr, mad, dates, mismatches, selected)
