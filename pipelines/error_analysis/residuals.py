"""Regression residuals against the prediction and the top features; heteroscedasticity."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.error_analysis.batches import DEFAULT_BATCH_ROWS, row_batches
from pipelines.error_analysis.binning import BinSpec, bin_spec
from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.models import ResidualBin, Residuals

__all__ = ["residuals"]


def _residual(evaluation: EvaluationSet, offset: int, length: int) -> np.ndarray:
    end = offset + length
    y = evaluation.y_true[offset:end].astype(np.float64)
    return y - evaluation.predicted[offset:end].astype(np.float64)


def _bins(
    spec: BinSpec, values: pl.Series, evaluation: EvaluationSet, batch_rows: int
) -> list[ResidualBin]:
    """Rows, mean, mean |.| and spread of the residual per bin, in two passes over batches."""
    size = len(spec.labels)
    rows = np.zeros(size, dtype=np.int64)
    total, absolute, squares = np.zeros(size), np.zeros(size), np.zeros(size)
    for offset, length in row_batches(evaluation.size, batch_rows):
        codes = spec.codes(values.slice(offset, length))
        residual = _residual(evaluation, offset, length)
        rows += np.bincount(codes, minlength=size)
        total += np.bincount(codes, weights=residual, minlength=size)
        absolute += np.bincount(codes, weights=np.abs(residual), minlength=size)
    mean = total / np.maximum(rows, 1)
    for offset, length in row_batches(evaluation.size, batch_rows):  # spread around the mean
        codes = spec.codes(values.slice(offset, length))
        deviation = _residual(evaluation, offset, length) - mean[codes]
        squares += np.bincount(codes, weights=deviation**2, minlength=size)
    out = []
    for code, label in enumerate(spec.labels):
        if rows[code] == 0:
            continue
        out.append(
            ResidualBin(
                label=label,
                rows=int(rows[code]),
                mean_residual=round(float(mean[code]), 6),
                mean_absolute=round(float(absolute[code] / rows[code]), 6),
                std=round(float(np.sqrt(squares[code] / rows[code])), 6),
            )
        )
    return out


def _breusch_pagan(evaluation: EvaluationSet, batch_rows: int) -> float | None:
    """p-value of squared residuals regressed on the prediction (n·R² ~ χ²(1)), in batches."""
    from scipy.stats import chi2

    n = evaluation.size
    if n <= 10:
        return None
    sum_p = sum_s = 0.0
    for offset, length in row_batches(n, batch_rows):
        sum_p += float(evaluation.predicted[offset : offset + length].astype(np.float64).sum())
        sum_s += float((_residual(evaluation, offset, length) ** 2).sum())
    mean_p, mean_s = sum_p / n, sum_s / n
    pp = ss = ps = 0.0
    for offset, length in row_batches(n, batch_rows):
        dp = evaluation.predicted[offset : offset + length].astype(np.float64) - mean_p
        ds = _residual(evaluation, offset, length) ** 2 - mean_s
        pp += float((dp * dp).sum())
        ss += float((ds * ds).sum())
        ps += float((dp * ds).sum())
    if pp <= 0 or ss <= 0:
        return None
    r = ps / np.sqrt(pp * ss)
    return float(chi2.sf(n * r * r, 1))


def residuals(
    evaluation: EvaluationSet, top_features: list[str], batch_rows: int = DEFAULT_BATCH_ROWS
) -> Residuals:
    """Residual (y - prediction) per prediction decile and per bin of the top 3 features.

    Heteroscedasticity: a Breusch-Pagan test (squared residuals regressed on the
    prediction; n·R² ~ χ²(1)) and the residual spread of the top vs the bottom decile.
    Every number is added up over `batch_rows`-row batches (two passes: means, then spreads).
    """
    prediction = pl.Series("prediction", evaluation.predicted, dtype=pl.Float64)
    spec = bin_spec(prediction, bins=10, categories=10, batch_rows=batch_rows)
    by_prediction = _bins(spec, prediction, evaluation, batch_rows)
    by_feature = {}
    for column in top_features[:3]:
        if column in evaluation.features.columns:
            values = evaluation.features.get_column(column)
            feature_spec = bin_spec(values, bins=8, categories=8, batch_rows=batch_rows)
            by_feature[column] = _bins(feature_spec, values, evaluation, batch_rows)
    p_value = _breusch_pagan(evaluation, batch_rows)
    ratio = None
    if len(by_prediction) >= 2 and by_prediction[0].std > 0:
        ratio = round(by_prediction[-1].std / by_prediction[0].std, 6)
    return Residuals(
        by_prediction=by_prediction,
        by_feature=by_feature,
        heteroscedasticity_p_value=None if p_value is None else round(p_value, 8),
        spread_ratio=ratio,
        sentence=_sentence(by_prediction, p_value, ratio),
    )


def _sentence(bins: list[ResidualBin], p_value: float | None, ratio: float | None) -> str:
    biased = [b for b in bins if abs(b.mean_residual) > 0.5 * b.std and b.rows >= 30]
    parts = []
    uneven = ratio is not None and (ratio > 1.5 or ratio < 2 / 3)
    if p_value is not None and p_value < 0.01 and ratio is not None and uneven:
        where = "large" if ratio > 1 else "small"
        parts.append(
            f"The error grows with the prediction (residual spread ×{ratio:.2g} from the lowest "
            f"to the highest decile, Breusch-Pagan p={p_value:.2g}): errors are biggest for "
            f"{where} predictions, so try a log target or report intervals that widen"
        )
    if biased:
        parts.append(
            f"the model is biased in {len(biased)} prediction bin(s) (e.g. {biased[0].label}: "
            f"mean residual {biased[0].mean_residual:.3g}), so add features for that range"
        )
    if not parts:
        return "Residuals are centred and even across predictions: no pattern to fix."
    return "; ".join(parts) + "."
