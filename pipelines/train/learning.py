"""Learning curve: train/validation error against training rows, read in one line."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipelines.profile.models import finite
from pipelines.train.booster import fit_booster, predict_booster
from pipelines.train.metrics import LOSS_METRIC, classification_metrics, regression_metrics
from pipelines.train.models import LearningCurve

__all__ = ["learning_curve", "loss", "read_learning_curve"]


def loss(y: np.ndarray, predicted: np.ndarray, kind: str) -> float:
    """The learning-curve error: log loss for classes, RMSE for regression."""
    if kind == "regression":
        value = regression_metrics(y, predicted)["rmse"]
    else:
        value = classification_metrics(y, predicted)["log_loss"]
    return float("nan") if value is None else value


def read_learning_curve(train: Sequence[float], valid: Sequence[float], dummy: float | None) -> str:
    """One sentence: underfitting, overfitting or a good fit, and whether more rows would help."""
    t, v = train[-1], valid[-1]
    falling = len(valid) >= 2 and valid[-2] - v > 0.05 * max(abs(v), 1e-12)
    more = (
        " Validation error is still falling at the largest size: more rows should help."
        if falling
        else " Validation error has levelled off: more rows of the same kind would change little."
    )
    if dummy is not None and dummy > 0 and v > 0.7 * dummy and (v - t) < 0.25 * v:
        return (
            "Both errors high (close to the dummy's): underfitting; add features or capacity."
            + more
        )
    headroom = (dummy - t) if dummy is not None and dummy > t else max(v, 1e-12)
    if (v - t) > 0.5 * headroom:
        return (
            "Large gap between train and validation error: overfitting; "
            "more data or regularisation." + more
        )
    if (v - t) > 0.25 * headroom:
        return (
            "Moderate gap between train and validation error: some overfitting; more data or "
            "regularisation could still help." + more
        )
    return "Small gap and validation error well below the dummy's: a good fit." + more


def learning_curve(
    x_fit: np.ndarray,
    y_fit: np.ndarray,
    x_valid: np.ndarray,
    y_valid: np.ndarray,
    *,
    kind: str,
    params: dict[str, float | int | str | bool],
    rounds: int,
    feature_names: Sequence[str],
    categorical: Sequence[str],
    sizes: Sequence[float],
    seed: int,
    dummy: float | None,
) -> LearningCurve:
    """Refit on growing seeded subsets of one fold's training rows; score train and validation."""
    order = np.random.default_rng(seed).permutation(len(y_fit))
    rows_list: list[int] = []
    train_err: list[float] = []
    valid_err: list[float] = []
    for share in sorted(set(sizes)):
        count = max(round(share * len(y_fit)), 20)
        count = min(count, len(y_fit))
        if rows_list and count == rows_list[-1]:
            continue
        take = np.sort(order[:count])
        fit = fit_booster(
            x_fit[take],
            y_fit[take],
            params=params,
            rounds=rounds,
            feature_names=feature_names,
            categorical=categorical,
        )
        train_err.append(loss(y_fit[take], predict_booster(fit.booster, x_fit[take], kind), kind))
        valid_err.append(loss(y_valid, predict_booster(fit.booster, x_valid, kind), kind))
        rows_list.append(count)
    train_r = [finite(v) or 0.0 for v in train_err]
    valid_r = [finite(v) or 0.0 for v in valid_err]
    return LearningCurve(
        metric=LOSS_METRIC[kind],
        rows=rows_list,
        train=train_r,
        valid=valid_r,
        dummy=finite(dummy) if dummy is not None else None,
        reading=read_learning_curve(train_r, valid_r, dummy),
    )
