"""Cross-validation on the training part: LightGBM with early stopping, plus the baselines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from pipelines.profile.models import finite
from pipelines.train.baselines import (
    BASELINE_DESCRIPTIONS,
    dummy_predict,
    fit_linear,
    linear_predict,
)
from pipelines.train.booster import fit_booster, predict_booster
from pipelines.train.metrics import classification_metrics, regression_metrics
from pipelines.train.models import LeaderboardEntry, MeanStd, TrainingCurve

__all__ = [
    "CVOutcome",
    "CVSettings",
    "FoldMap",
    "FoldMatrices",
    "FoldResult",
    "balanced_weights",
    "cross_validate",
    "fit_fold",
    "leaderboard",
    "score",
    "summarise",
]


@dataclass(frozen=True)
class FoldMatrices:
    """One fold: positions into the training part and its feature matrices (fit on `fit` rows)."""

    fit: np.ndarray
    valid: np.ndarray
    x_fit: np.ndarray
    x_valid: np.ndarray
    names: list[str]
    categorical: list[str]
    linear_fit: np.ndarray | None = None
    linear_valid: np.ndarray | None = None


@dataclass
class CVOutcome:
    """Out-of-fold predictions (LightGBM), per-fold metrics of each model, curves, stops."""

    oof: np.ndarray
    covered: np.ndarray
    fold_metrics: dict[str, list[dict[str, float | None]]] = field(default_factory=dict)
    curves: list[TrainingCurve] = field(default_factory=list)
    best_iterations: list[int] = field(default_factory=list)


def balanced_weights(y: np.ndarray, classes: int) -> np.ndarray:
    """Sample weights n / (K * count(class)): every class weighs the same in total."""
    counts = np.bincount(y.astype(np.int64), minlength=classes).astype(np.float64)
    per_class = len(y) / (classes * np.maximum(counts, 1.0))
    return per_class[y.astype(np.int64)]


def score(
    y: np.ndarray, predicted: np.ndarray, kind: str, threshold: float | None = None
) -> dict[str, float | None]:
    """Metrics for the task kind."""
    if kind == "regression":
        return regression_metrics(y, predicted)
    return classification_metrics(y, predicted, threshold=threshold)


@dataclass(frozen=True)
class CVSettings:
    """What every fold's fit shares (picklable, so a fold can run on another worker)."""

    kind: str
    classes: int
    params: dict[str, float | int | str | bool]
    max_rounds: int
    early_stopping_rounds: int
    balance: bool
    baselines: bool
    seed: int


@dataclass(frozen=True)
class FoldResult:
    """One fold's validation predictions, metrics per model and training curve."""

    predicted: np.ndarray
    metrics: dict[str, dict[str, float | None]]
    best_iteration: int
    curve: TrainingCurve


FoldMap = Callable[[Callable[[Any], Any], Sequence[Any]], Sequence[Any]]
"""`map(function, items) -> results` in order (builtin, a pool's, a Dask client's)."""


def fit_fold(item: tuple[int, FoldMatrices, np.ndarray], settings: CVSettings) -> FoldResult:
    """Fit fold `number` (LightGBM, and the baselines when asked); `y` covers the training part."""
    number, fold, y = item
    kind, classes = settings.kind, settings.classes
    y_fit, y_valid = y[fold.fit], y[fold.valid]
    weights = balanced_weights(y_fit, classes) if settings.balance else None
    fit = fit_booster(
        fold.x_fit,
        y_fit,
        params=settings.params,
        rounds=settings.max_rounds,
        feature_names=fold.names,
        categorical=fold.categorical,
        weights=weights,
        valid=(fold.x_valid, y_valid),
        early_stopping_rounds=settings.early_stopping_rounds,
    )
    predicted = predict_booster(fit.booster, fold.x_valid, kind, rounds=fit.best_iteration)
    metrics = {"lightgbm": score(y_valid, predicted, kind)}
    if settings.baselines:
        dummy = dummy_predict(y_fit, len(y_valid), kind, classes)
        metrics["dummy"] = score(y_valid, dummy, kind)
        if fold.linear_fit is not None and fold.linear_valid is not None:
            linear = fit_linear(fold.linear_fit, y_fit, kind, seed=settings.seed, weights=weights)
            linear_pred = linear_predict(linear, fold.linear_valid, kind, classes)
            metrics["linear"] = score(y_valid, linear_pred, kind)
    curve = TrainingCurve(
        fold=number,
        metric=fit.metric,
        train=[finite(v) or 0.0 for v in fit.train_curve],
        valid=[finite(v) or 0.0 for v in fit.valid_curve],
        best_iteration=fit.best_iteration,
    )
    return FoldResult(predicted, metrics, fit.best_iteration, curve)


def cross_validate(
    folds: Sequence[FoldMatrices],
    y: np.ndarray,
    *,
    kind: str,
    classes: int,
    params: dict[str, float | int | str | bool],
    max_rounds: int,
    early_stopping_rounds: int,
    balance: bool,
    baselines: bool,
    seed: int,
    map_folds: FoldMap | None = None,
) -> CVOutcome:
    """Fit every fold; `y` covers the training part (positions in folds index into it).

    `map_folds` (e.g. a Dask client's map) fits the folds in parallel; the folds are
    independent and seeded, so the outcome is identical to the sequential one.
    """
    settings = CVSettings(
        kind, classes, params, max_rounds, early_stopping_rounds, balance, baselines, seed
    )
    items = [(number, fold, y) for number, fold in enumerate(folds)]
    fit = partial(fit_fold, settings=settings)
    results = list(map_folds(fit, items) if map_folds is not None else map(fit, items))
    width = classes if kind != "regression" else 1
    oof = np.zeros((len(y), width)) if kind != "regression" else np.zeros(len(y))
    covered = np.zeros(len(y), dtype=bool)
    outcome = CVOutcome(oof=oof, covered=covered)
    metrics: dict[str, list[dict[str, float | None]]] = {"lightgbm": []}
    if baselines:
        metrics.update({"dummy": [], "linear": []})
    for fold, result in zip(folds, results, strict=True):
        oof[fold.valid] = result.predicted
        covered[fold.valid] = True
        for model, values in result.metrics.items():
            metrics[model].append(values)
        outcome.best_iterations.append(result.best_iteration)
        outcome.curves.append(result.curve)
    outcome.fold_metrics = {k: v for k, v in metrics.items() if v}
    return outcome


def summarise(per_fold: Sequence[dict[str, float | None]]) -> dict[str, MeanStd]:
    """Mean and standard deviation of each metric over folds (None where a fold lacks it)."""
    names = sorted({name for fold in per_fold for name in fold})
    out: dict[str, MeanStd] = {}
    for name in names:
        values = [v for fold in per_fold if (v := fold.get(name)) is not None]
        if values:
            out[name] = MeanStd(
                mean=finite(float(np.mean(values))), std=finite(float(np.std(values)))
            )
        else:
            out[name] = MeanStd(mean=None, std=None)
    return out


def _error(value: float, *, greater_is_better: bool) -> float:
    return 1.0 - value if greater_is_better else value


def leaderboard(
    fold_metrics: dict[str, list[dict[str, float | None]]],
    primary: str,
    *,
    greater_is_better: bool,
) -> list[LeaderboardEntry]:
    """One entry per model, best first by the primary CV metric, each compared with the dummy."""
    summaries = {model: summarise(folds) for model, folds in fold_metrics.items()}
    dummy = summaries.get("dummy", {}).get(primary)
    entries = []
    for model, cv in summaries.items():
        main = cv.get(primary, MeanStd(mean=None, std=None))
        versus = None
        if dummy is not None and dummy.mean is not None and main.mean is not None:
            base = _error(dummy.mean, greater_is_better=greater_is_better)
            if base > 0:
                versus = finite(
                    (base - _error(main.mean, greater_is_better=greater_is_better)) / base
                )
        entries.append(
            LeaderboardEntry(
                model=model,
                description=BASELINE_DESCRIPTIONS[model],
                cv=cv,
                primary=main,
                vs_dummy=versus,
            )
        )
    sign = -1.0 if greater_is_better else 1.0
    entries.sort(key=lambda e: (e.primary.mean is None, sign * (e.primary.mean or 0.0), e.model))
    return entries
