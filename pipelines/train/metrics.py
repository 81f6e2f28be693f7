"""Metrics for classifiers (from class probabilities) and regressors, as plain floats."""

from __future__ import annotations

import math

import numpy as np
from sklearn import metrics as skm

__all__ = [
    "LOSS_METRIC",
    "PRIMARY",
    "classification_metrics",
    "primary_metric",
    "regression_metrics",
]

PRIMARY: dict[str, tuple[str, bool]] = {
    "binary": ("roc_auc", True),
    "multiclass": ("log_loss", False),
    "regression": ("rmse", False),
}
"""Task kind -> (primary metric, greater is better)."""

LOSS_METRIC: dict[str, str] = {"binary": "log_loss", "multiclass": "log_loss", "regression": "rmse"}
"""The error used for learning curves (lower is better)."""


def primary_metric(kind: str) -> tuple[str, bool]:
    """(name, greater_is_better) of the task kind's headline metric."""
    return PRIMARY[kind]


def _safe(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def classification_metrics(
    y: np.ndarray, proba: np.ndarray, *, threshold: float | None = None
) -> dict[str, float | None]:
    """Classification metrics; `y` class codes 0..K-1, `proba` (n, K) probabilities.

    Binary: labels from `proba[:, 1] >= threshold` (0.5 by default); F1 for class 1.
    Multiclass: arg-max labels; ROC/PR AUC one-vs-rest macro; F1 macro.
    """
    classes = proba.shape[1]
    labels = list(range(classes))
    onehot = np.eye(classes)[y]
    clipped = np.clip(proba, 1e-15, 1 - 1e-15)
    out: dict[str, float | None] = {
        "log_loss": _safe(skm.log_loss(y, clipped, labels=labels)),
        "brier": _safe(float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))),
    }
    present = np.unique(y)
    if classes == 2:
        cut = 0.5 if threshold is None else threshold
        predicted = (proba[:, 1] >= cut).astype(np.int64)
        both = len(present) == 2
        out["roc_auc"] = _safe(skm.roc_auc_score(y, proba[:, 1])) if both else None
        out["pr_auc"] = _safe(skm.average_precision_score(y, proba[:, 1])) if both else None
        out["f1"] = _safe(skm.f1_score(y, predicted, zero_division=0))
        out["brier"] = _safe(float(np.mean((proba[:, 1] - y) ** 2)))
    else:
        predicted = np.argmax(proba, axis=1)
        if len(present) == classes:
            out["roc_auc"] = _safe(
                skm.roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=labels)
            )
            out["pr_auc"] = _safe(skm.average_precision_score(onehot, proba, average="macro"))
        else:
            out["roc_auc"] = out["pr_auc"] = None
        out["f1"] = _safe(skm.f1_score(y, predicted, average="macro", zero_division=0))
    out["accuracy"] = _safe(skm.accuracy_score(y, predicted))
    out["balanced_accuracy"] = _safe(skm.balanced_accuracy_score(y, predicted))
    return dict(sorted(out.items()))


def regression_metrics(y: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    """RMSE, MAE, R² and (when every target and prediction is above -1 and targets > 0) RMSLE."""
    out: dict[str, float | None] = {
        "rmse": _safe(math.sqrt(skm.mean_squared_error(y, predicted))),
        "mae": _safe(skm.mean_absolute_error(y, predicted)),
        "r2": _safe(skm.r2_score(y, predicted)) if len(y) > 1 else None,
    }
    if bool(np.all(y > 0)):
        clipped = np.clip(predicted, 0, None)
        out["rmsle"] = _safe(math.sqrt(skm.mean_squared_log_error(y, clipped)))
    return dict(sorted(out.items()))
