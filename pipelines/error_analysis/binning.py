"""Turn one raw column into readable bins: quantile ranges, top categories + other, missing.

Shared by slices, residual plots and SHAP dependence, so a bin reads the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.error_analysis.batches import row_batches

__all__ = ["BinSpec", "Bins", "bin_column", "bin_spec", "fmt_value", "interval", "is_sliceable"]

_LOW_CARDINALITY = 12


@dataclass(frozen=True)
class Bins:
    """Bin code per row, and per bin its label, kind and numeric range."""

    codes: np.ndarray
    labels: list[str]
    kinds: list[str]
    lows: list[float | None]
    highs: list[float | None]


def is_sliceable(dtype: pl.DataType) -> bool:
    """Numbers, booleans, text and categories can be binned; lists, structs and binaries not."""
    return (
        dtype.is_numeric()
        or dtype in (pl.Boolean, pl.String, pl.Categorical)
        or isinstance(dtype, pl.Enum)
    )


def fmt_value(value: float) -> str:
    """A number for a label: integers as integers, else 4 significant digits."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if 1e4 <= abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def interval(
    total: np.ndarray, total_squares: np.ndarray, n: np.ndarray, *, rate: bool, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of a mean per bin: Wilson for 0/1 rates, normal (mean ± z·sd/√n) otherwise."""
    n_safe = np.maximum(n, 1)
    mean = total / n_safe
    if rate:
        denominator = 1 + z * z / n_safe
        centre = (mean + z * z / (2 * n_safe)) / denominator
        half = z * np.sqrt(mean * (1 - mean) / n_safe + z * z / (4 * n_safe**2)) / denominator
        # rounded so a 0% rate's lower bound is 0, not 1e-17 (which reads as "worse than 0%")
        low, high = np.round(centre - half, 12), np.round(centre + half, 12)
        return np.clip(low, 0, 1), np.clip(high, 0, 1)
    variance = np.maximum(total_squares / n_safe - mean**2, 0) * n_safe / np.maximum(n_safe - 1, 1)
    half = z * np.sqrt(variance / n_safe)
    return mean - half, mean + half


@dataclass(frozen=True)
class BinSpec:
    """How a column is binned, learned once from all its values; `codes` bins any of its rows.

    Numeric ranges split at `edges` (quantiles); text keeps its `top` categories, the rest
    is `other`; nulls (and NaN, infinities) are `missing` when the column has any.
    """

    labels: list[str]
    kinds: list[str]
    lows: list[float | None]
    highs: list[float | None]
    edges: np.ndarray | None = None
    top: tuple[str, ...] = ()
    missing: bool = False

    def codes(self, series: pl.Series) -> np.ndarray:
        """Bin code per value of `series` (all rows or a batch of the column's rows)."""
        nulls = series.is_null().to_numpy()
        missing_code = len(self.labels) - 1
        if self.edges is not None:
            values = series.cast(pl.Float64).to_numpy()
            codes = np.searchsorted(self.edges, np.nan_to_num(values, nan=0.0), side="left")
            codes = codes.astype(np.int64)
            if self.missing:
                not_finite = nulls | ~np.isfinite(np.where(nulls, 0.0, values))
                codes = np.where(not_finite, missing_code, codes)
            return codes
        code_of = {v: i for i, v in enumerate(self.top)}
        text = series.cast(pl.String)
        codes = np.asarray(
            text.replace_strict(code_of, default=len(self.top), return_dtype=pl.Int64).to_numpy(),
            dtype=np.int64,
        )
        if self.missing:
            codes = np.where(nulls, missing_code, codes)
        return codes


def bin_column(series: pl.Series, *, bins: int, categories: int) -> Bins:
    """Bin one column: quantile ranges (or each value when few), top categories, missing.

    Collects nothing beyond the series; cost is one sort (quantiles) or one value count.
    """
    spec = bin_spec(series, bins=bins, categories=categories)
    return Bins(spec.codes(series), spec.labels, spec.kinds, spec.lows, spec.highs)


def bin_spec(
    series: pl.Series, *, bins: int, categories: int, batch_rows: int | None = None
) -> BinSpec:
    """Learn how to bin a column from all its values (one sort or one value count).

    Categories are counted per `batch_rows` rows and merged; quantile edges need every
    value of the column once (one float copy of the finite values, partitioned in place).
    """
    if series.dtype.is_numeric() and series.n_unique() > _LOW_CARDINALITY:
        return _numeric_spec(series, bins)
    name = series.name
    parts = [
        series.slice(offset, length).cast(pl.String).drop_nulls().value_counts(name="n")
        for offset, length in row_batches(len(series), batch_rows or max(len(series), 1))
    ]
    counts = (
        pl.concat(parts)
        .group_by(name)
        .agg(pl.col("n").sum())
        .sort(["n", name], descending=[True, False])
    )
    top = counts.get_column(name).head(categories).to_list()
    labels = [f"{v}" for v in top]
    kinds = ["category"] * len(top)
    if counts.height > len(top):
        labels.append("other")
        kinds.append("other")
    missing = series.null_count() > 0
    if missing:
        labels.append("missing")
        kinds.append("missing")
    empty: list[float | None] = [None] * len(labels)
    return BinSpec(labels, kinds, empty, list(empty), top=tuple(top), missing=missing)


def _numeric_spec(series: pl.Series, bins: int) -> BinSpec:
    values = series.cast(pl.Float64).to_numpy()
    nulls = series.is_null().to_numpy()
    finite = ~nulls & np.isfinite(values)
    missing = not bool(finite.all())
    present = values[finite]  # a fresh copy, so the quantile may partition it in place
    del values, finite
    edges = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1], overwrite_input=True))
    del present
    labels, kinds, lows, highs = [], [], [], []
    name = series.name
    for i in range(len(edges) + 1):
        low = None if i == 0 else float(edges[i - 1])
        high = None if i == len(edges) else float(edges[i])
        if low is None and high is not None:
            labels.append(f"{name} ≤ {fmt_value(high)}")
        elif high is None and low is not None:
            labels.append(f"{name} > {fmt_value(low)}")
        elif low is not None and high is not None:
            labels.append(f"{fmt_value(low)} < {name} ≤ {fmt_value(high)}")
        else:
            labels.append(f"all {name}")
        kinds.append("range")
        lows.append(low)
        highs.append(high)
    if missing:
        labels.append("missing")
        kinds.append("missing")
        lows.append(None)
        highs.append(None)
    return BinSpec(labels, kinds, lows, highs, edges=edges, missing=missing)
