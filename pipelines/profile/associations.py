"""Pairwise association on a row sample: Pearson, Spearman, Cramér's V, correlation ratio.

Plain numpy over a collected sample (the caller discloses its size). Every measure used in the
unified matrix is scaled to 0..1 so numeric and categorical pairs share one heatmap.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.profile.models import Matrix, finite

__all__ = [
    "codes_of",
    "correlation_ratio",
    "cramers_v",
    "numeric_matrix",
    "pairwise_pearson",
    "pearson",
    "unified_matrix",
    "values_of",
]

_MIN_PAIRS = 10


def codes_of(series: pl.Series) -> tuple[np.ndarray, int]:
    """Integer codes 0..k-1 for a categorical series, -1 for null; returns (codes, k)."""
    text = series.cast(pl.String)
    physical = text.cast(pl.Categorical).to_physical().cast(pl.Int64)
    codes = physical.fill_null(-1).to_numpy().astype(np.int64)
    present = codes[codes >= 0]
    if present.size == 0:
        return codes, 0
    _, dense = np.unique(present, return_inverse=True)
    out = np.full(codes.shape, -1, dtype=np.int64)
    out[codes >= 0] = dense
    return out, int(dense.max()) + 1


def values_of(series: pl.Series) -> np.ndarray:
    """Float values with NaN for null (datetimes as epoch ms, booleans as 0/1)."""
    if series.dtype in (pl.Date,) or isinstance(series.dtype, pl.Datetime):
        series = series.cast(pl.Datetime("ms")).dt.epoch("ms")
    return series.cast(pl.Float64).fill_nan(None).to_numpy().astype(np.float64)


def pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    """Pearson r over rows where both are present; None when undefined."""
    mask = ~(np.isnan(a) | np.isnan(b))
    if mask.sum() < _MIN_PAIRS:
        return None
    x, y = a[mask], b[mask]
    sx, sy = x.std(), y.std()
    if sx == 0 or sy == 0:
        return None
    return float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))


def pairwise_pearson(columns: list[np.ndarray]) -> np.ndarray:
    """Pearson r for every pair over rows where both are present, with matrix products.

    NaN marks missing values; pairs with fewer than 10 shared rows or no spread give NaN.
    """
    if not columns:
        return np.zeros((0, 0))
    data = np.column_stack(columns)
    present = (~np.isnan(data)).astype(np.float64)
    values = np.where(present > 0, data, 0.0)
    # centre each column on its own mean first, for numerical stability
    counts = present.sum(axis=0)
    means = np.divide(values.sum(axis=0), counts, out=np.zeros_like(counts), where=counts > 0)
    values = (values - means) * present
    n = present.T @ present
    sx = values.T @ present  # [i, j]: sum of x_i over rows where x_j is present too
    sxx = (values**2).T @ present
    sxy = values.T @ values
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = n * sxy - sx * sx.T
        var_i = n * sxx - sx**2
        r = cov / np.sqrt(var_i * var_i.T)
    r[(n < _MIN_PAIRS) | ~np.isfinite(r)] = np.nan
    np.fill_diagonal(r, 1.0)
    return np.clip(r, -1.0, 1.0)


def cramers_v(a: np.ndarray, ka: int, b: np.ndarray, kb: int) -> float | None:
    """Bias-corrected Cramér's V (Bergsma 2013) over rows where both are present."""
    mask = (a >= 0) & (b >= 0)
    n = int(mask.sum())
    if n < _MIN_PAIRS or ka < 2 or kb < 2:
        return None
    table = np.bincount(a[mask] * kb + b[mask], minlength=ka * kb).reshape(ka, kb).astype(float)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    r, k = table.shape
    if r < 2 or k < 2:
        return None
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    phi2 = chi2 / n
    phi2c = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
    rc = r - (r - 1) ** 2 / (n - 1)
    kc = k - (k - 1) ** 2 / (n - 1)
    denominator = min(kc - 1, rc - 1)
    if denominator <= 0:
        return None
    return float(np.sqrt(phi2c / denominator))


def correlation_ratio(codes: np.ndarray, k: int, values: np.ndarray) -> float | None:
    """Correlation ratio eta (0..1), bias-adjusted (epsilon squared); singleton groups ignored."""
    mask = (codes >= 0) & ~np.isnan(values)
    if mask.sum() < _MIN_PAIRS or k < 2:
        return None
    c, v = codes[mask], values[mask]
    counts = np.bincount(c, minlength=k).astype(float)
    keep = counts[c] >= 2  # a group of one row explains itself perfectly: ignore it
    c, v = c[keep], v[keep]
    groups = int((counts >= 2).sum())
    if c.size < _MIN_PAIRS or groups < 2:
        return None
    counts = np.bincount(c, minlength=k).astype(float)
    sums = np.bincount(c, weights=v, minlength=k)
    mean = v.mean()
    total = float(((v - mean) ** 2).sum())
    if total == 0:
        return None
    present = counts > 0
    between = float((counts[present] * (sums[present] / counts[present] - mean) ** 2).sum())
    eta2 = min(1.0, between / total)
    n = c.size
    adjusted = 1.0 - (1.0 - eta2) * (n - 1) / (n - groups) if n > groups else eta2
    return float(np.sqrt(max(0.0, adjusted)))


def _square(method: str, names: list[str], values: np.ndarray) -> Matrix:
    return Matrix(
        method=method,
        columns=names,
        values=[[finite(float(v), 4) if np.isfinite(v) else None for v in row] for row in values],
    )


def numeric_matrix(
    values: dict[str, np.ndarray], method: str, pearson: np.ndarray | None = None
) -> Matrix:
    """Pearson or Spearman matrix over float arrays (NaN = missing), pairwise-complete.

    `pearson` is the Pearson matrix of `values` when already computed (it is not recomputed).
    """
    names = list(values)
    if method == "pearson" and pearson is not None:
        return _square(method, names, pearson)
    if method == "spearman":  # Pearson on average ranks (ties share a rank); nulls stay null
        frame = pl.DataFrame({f"c{i}": values[n] for i, n in enumerate(names)}, nan_to_null=True)
        ranked = frame.select(pl.all().rank("average").cast(pl.Float64))
        data = [ranked.get_column(f"c{i}").to_numpy() for i in range(len(names))]
    else:
        data = [values[n] for n in names]
    return _square(method, names, pairwise_pearson(data))


def unified_matrix(
    sample: pl.DataFrame,
    values: dict[str, np.ndarray],
    categorical: list[str],
    pearson: np.ndarray | None = None,
) -> Matrix:
    """0..1 association for every pair: |Pearson|, Cramér's V or correlation ratio.

    `pearson` is the Pearson matrix of `values` when already computed (it is not recomputed).
    """
    numeric = list(values)
    names = numeric + categorical
    codes = {n: codes_of(sample[n]) for n in categorical}
    size = len(names)
    out = np.eye(size)
    if pearson is None:
        pearson = pairwise_pearson([values[n] for n in numeric])
    out[: len(numeric), : len(numeric)] = np.abs(pearson)
    for i in range(size):
        for j in range(max(i + 1, len(numeric)), size):
            a, b = names[i], names[j]
            r: float | None
            if a in codes and b in codes:
                r = cramers_v(*codes[a], *codes[b])
            else:
                cat, num = (a, b) if a in codes else (b, a)
                r = correlation_ratio(*codes[cat], values[num])
            out[i, j] = out[j, i] = np.nan if r is None else r
    return _square("association", names, out)
