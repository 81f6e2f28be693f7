"""Slices: the error per bin of every feature, ranked by how much worse than overall."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.stats import norm

from pipelines.error_analysis.batches import row_batches
from pipelines.error_analysis.binning import BinSpec, bin_spec, interval, is_sliceable
from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.models import FeatureSlices, Slice
from pipelines.error_analysis.options import ErrorAnalysisOptions

__all__ = ["feature_slices", "worst_slices"]


def feature_slices(
    evaluation: EvaluationSet,
    error: np.ndarray,
    loss: np.ndarray,
    options: ErrorAnalysisOptions,
    order: list[str],
) -> list[FeatureSlices]:
    """Slices of each raw feature (in `order`, most important first), worst feature first.

    A feature's rank is its worst non-small slice's lower interval bound minus the overall
    error, so a handful of unlucky rows never tops the list.
    """
    z = float(norm.ppf(0.5 + options.confidence / 2))
    rate = evaluation.is_classifier
    overall = float(error.mean())
    out: list[tuple[float, FeatureSlices]] = []
    features = evaluation.features
    columns = [c for c in order if c in features.columns]
    columns += [c for c in features.columns if c not in columns]
    for column in columns[: options.max_slice_features]:
        series = features.get_column(column)
        if not is_sliceable(series.dtype) or series.null_count() == len(series):
            continue
        bins = bin_spec(
            series,
            bins=options.slice_bins,
            categories=options.slice_categories,
            batch_rows=options.batch_rows,
        )
        size = len(bins.labels)
        if size < 2:
            continue
        n, total, squares, loss_total = _slice_counts(
            bins, series, error, loss, size, options.batch_rows
        )
        low, high = interval(total, squares, n, rate=rate, z=z)
        slices = []
        for i in range(size):
            if n[i] == 0:
                continue
            mean = float(total[i] / n[i])
            mean_loss = float(loss_total[i] / n[i])
            slices.append(
                Slice(
                    feature=column,
                    label=bins.labels[i],
                    kind=bins.kinds[i],  # type: ignore[arg-type]
                    low=bins.lows[i],
                    high=bins.highs[i],
                    rows=int(n[i]),
                    error=round(mean, 6),
                    low_interval=round(float(low[i]), 6),
                    high_interval=round(float(high[i]), 6),
                    loss=round(mean_loss if rate else float(np.sqrt(mean_loss)), 6),
                    gap=round(mean - overall, 6),
                    small=bool(n[i] < options.min_slice_rows),
                )
            )
        big = [s for s in slices if not s.small] or slices
        spread = max(s.error for s in big) - min(s.error for s in big)
        rank = max(s.low_interval for s in big) - overall
        out.append(
            (
                rank,
                FeatureSlices(
                    feature=column,
                    label=evaluation.label(column),
                    spread=round(spread, 6),
                    slices=slices,
                ),
            )
        )
    out.sort(key=lambda item: (-item[0], item[1].feature))
    return [item[1] for item in out]


def _slice_counts(
    bins: BinSpec,
    series: pl.Series,
    error: np.ndarray,
    loss: np.ndarray,
    size: int,
    batch_rows: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows, error sum, squared-error sum and loss sum per bin, added up over row batches."""
    n = np.zeros(size, dtype=np.int64)
    total, squares, loss_total = np.zeros(size), np.zeros(size), np.zeros(size)
    for offset, length in row_batches(len(series), batch_rows):
        codes = bins.codes(series.slice(offset, length))
        batch_error, batch_loss = error[offset : offset + length], loss[offset : offset + length]
        n += np.bincount(codes, minlength=size)
        total += np.bincount(codes, weights=batch_error, minlength=size)
        squares += np.bincount(codes, weights=batch_error**2, minlength=size)
        loss_total += np.bincount(codes, weights=batch_loss, minlength=size)
    return n, total, squares, loss_total


def worst_slices(slices: list[FeatureSlices], limit: int = 15) -> list[Slice]:
    """The slices most reliably worse than overall (lower interval bound first), big ones first."""
    every = [s for f in slices for s in f.slices if s.gap > 0]
    every.sort(key=lambda s: (s.small, -(s.low_interval - (s.error - s.gap)), s.feature, s.label))
    return every[:limit]
