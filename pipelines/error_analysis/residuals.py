"""Regression residuals against the prediction and the top features; heteroscedasticity."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.error_analysis.binning import bin_column
from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.models import ResidualBin, Residuals

__all__ = ["residuals"]


def _bins(codes: np.ndarray, labels: list[str], residual: np.ndarray) -> list[ResidualBin]:
    out = []
    for code, label in enumerate(labels):
        values = residual[codes == code]
        if len(values) == 0:
            continue
        out.append(
            ResidualBin(
                label=label,
                rows=len(values),
                mean_residual=round(float(values.mean()), 6),
                mean_absolute=round(float(np.abs(values).mean()), 6),
                std=round(float(values.std()), 6),
            )
        )
    return out


def residuals(evaluation: EvaluationSet, top_features: list[str]) -> Residuals:
    """Residual (y - prediction) per prediction decile and per bin of the top 3 features.

    Heteroscedasticity: a Breusch-Pagan test (squared residuals regressed on the
    prediction; n·R² ~ χ²(1)) and the residual spread of the top vs the bottom decile.
    """
    from scipy.stats import chi2

    y = evaluation.y_true.astype(np.float64)
    predicted = evaluation.predicted.astype(np.float64)
    residual = y - predicted
    prediction_bins = bin_column(pl.Series("prediction", predicted), bins=10, categories=10)
    by_prediction = _bins(prediction_bins.codes, prediction_bins.labels, residual)
    by_feature = {}
    for column in top_features[:3]:
        if column in evaluation.features.columns:
            b = bin_column(evaluation.features.get_column(column), bins=8, categories=8)
            by_feature[column] = _bins(b.codes, b.labels, residual)
    p_value: float | None = None
    squared = residual**2
    if len(y) > 10 and np.std(predicted) > 0 and np.std(squared) > 0:
        r = float(np.corrcoef(predicted, squared)[0, 1])
        p_value = float(chi2.sf(len(y) * r * r, 1))
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
