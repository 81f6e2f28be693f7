"""Turn one raw column into readable bins: quantile ranges, top categories + other, missing.

Shared by slices, residual plots and SHAP dependence, so a bin reads the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

__all__ = ["Bins", "bin_column", "fmt_value", "interval", "is_sliceable"]

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


def bin_column(series: pl.Series, *, bins: int, categories: int) -> Bins:
    """Bin one column: quantile ranges (or each value when few), top categories, missing.

    Collects nothing beyond the series; cost is one sort (quantiles) or one value count.
    """
    nulls = series.is_null().to_numpy()
    if series.dtype.is_numeric() and series.n_unique() > _LOW_CARDINALITY:
        return _numeric_bins(series, nulls, bins)
    text = series.cast(pl.String)
    counts = (
        text.drop_nulls()
        .value_counts(sort=True, name="n")
        .sort(["n", text.name], descending=[True, False])
    )
    top = counts.get_column(text.name).head(categories).to_list()
    labels = [f"{v}" for v in top]
    kinds = ["category"] * len(top)
    code_of = {v: i for i, v in enumerate(top)}
    other = len(top)
    codes = np.asarray(
        text.replace_strict(code_of, default=other, return_dtype=pl.Int64).to_numpy(),
        dtype=np.int64,
    )
    has_other = counts.height > len(top)
    if has_other:
        labels.append("other")
        kinds.append("other")
    missing = len(labels)
    if nulls.any():
        codes = np.where(nulls, missing, codes)
        labels.append("missing")
        kinds.append("missing")
    return Bins(codes, labels, kinds, [None] * len(labels), [None] * len(labels))


def _numeric_bins(series: pl.Series, nulls: np.ndarray, bins: int) -> Bins:
    values = series.cast(pl.Float64).to_numpy()
    present = values[~nulls & np.isfinite(values)]
    edges = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1]))
    codes = np.searchsorted(edges, np.nan_to_num(values, nan=0.0), side="left").astype(np.int64)
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
    not_finite = nulls | ~np.isfinite(np.where(nulls, 0.0, values))
    if not_finite.any():
        codes = np.where(not_finite, len(labels), codes)
        labels.append("missing")
        kinds.append("missing")
        lows.append(None)
        highs.append(None)
    return Bins(codes, labels, kinds, lows, highs)
