"""Fairness: per-group metrics for sensitive columns with fairlearn's MetricFrame.

fairlearn works on pandas/numpy; this module hands it the rows compressed to one per
(group, actual, predicted) with their counts as sample weights (see `_compressed`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from pipelines.error_analysis.batches import row_batches
from pipelines.error_analysis.errors import EvaluationDataError
from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.models import FairnessGroup, FairnessReport
from pipelines.error_analysis.options import ErrorAnalysisOptions

__all__ = ["fairness"]

_MISSING = "missing"


def _outcomes(evaluation: EvaluationSet, offset: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(y_true, y_pred) of one batch as fairlearn is given them.

    Binary: 0/1 for the positive class. Multiclass: class indices. Regression: |residual|
    and the prediction, so that the weighted means per group give MAE and mean prediction.
    """
    end = offset + length
    if evaluation.task.kind == "binary":
        positive = evaluation.task.classes.index(evaluation.task.positive_label or "")
        y_true = (evaluation.y_true[offset:end].astype(np.int64) == positive).astype(np.int64)
        y_pred = (evaluation.predicted[offset:end].astype(np.int64) == positive).astype(np.int64)
        return y_true, y_pred
    if evaluation.is_classifier:
        return (
            evaluation.y_true[offset:end].astype(np.int64),
            evaluation.predicted[offset:end].astype(np.int64),
        )
    predicted = evaluation.predicted[offset:end].astype(np.float64)
    return np.abs(evaluation.y_true[offset:end].astype(np.float64) - predicted), predicted


def _compressed(groups: pl.Series, evaluation: EvaluationSet, batch_rows: int) -> pl.DataFrame:
    """Rows weighted by count: one per (group, actual, predicted), or one per group.

    Classifiers: `w` rows of each (group, actual, predicted). Regression: one row per group
    with its mean |residual| (`y`), mean prediction (`p`) and row count (`w`).

    fairlearn's MetricFrame costs a Python step per row per metric and group (~40 s on 336k
    rows); weighted rows give the same per-group numbers from a few dozen rows. The counts
    (and sums) are taken per `batch_rows`-row batch and added up, so no full-length copy of
    the group column or the outcomes is made.
    """
    classifier = evaluation.is_classifier
    parts = []
    for offset, length in row_batches(len(groups), batch_rows):
        y_true, y_pred = _outcomes(evaluation, offset, length)
        frame = pl.DataFrame(
            {
                "g": groups.slice(offset, length).cast(pl.String).fill_null(_MISSING),
                "y": y_true,
                "p": y_pred,
            }
        )
        if classifier:
            parts.append(frame.group_by("g", "y", "p").agg(w=pl.len()))
        else:
            parts.append(
                frame.group_by("g").agg(y=pl.col("y").sum(), p=pl.col("p").sum(), w=pl.len())
            )
    merged = pl.concat(parts)
    if classifier:
        return merged.group_by("g", "y", "p").agg(w=pl.col("w").sum()).sort("g", "y", "p")
    totals = merged.group_by("g").agg(pl.col("y", "p", "w").sum())
    return totals.select(
        "g", y=pl.col("y") / pl.col("w"), p=pl.col("p") / pl.col("w"), w=pl.col("w")
    ).sort("g")


def _weight_total(_: object, __: object, sample_weight: np.ndarray) -> float:
    return float(np.sum(sample_weight))


def _mean_of_true(y_true: np.ndarray, _: object, sample_weight: np.ndarray) -> float:
    return float(np.average(y_true, weights=sample_weight))


def _mean_of_predicted(_: object, y_pred: np.ndarray, sample_weight: np.ndarray) -> float:
    return float(np.average(y_pred, weights=sample_weight))


def fairness(
    evaluation: EvaluationSet, frame: pl.DataFrame, options: ErrorAnalysisOptions
) -> list[FairnessReport] | None:
    """One report per sensitive column (binary: selection rate, TPR, FPR, accuracy).

    `frame` holds the sensitive columns for the evaluation rows (they may be absent from the
    model's features). Multiclass reports accuracy; regression MAE and mean prediction.
    """
    if not options.sensitive:
        return None
    import pandas as pd
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score

    missing = [c for c in options.sensitive if c not in frame.columns]
    if missing:
        listed = ", ".join(f"`{c}`" for c in missing)
        msg = f"sensitive column(s) {listed} are not in the evaluation data: name its columns"
        raise EvaluationDataError(msg)
    if evaluation.task.kind == "binary":
        metrics: dict[str, Callable[..., float]] = {
            "selection_rate": selection_rate,
            "true_positive_rate": true_positive_rate,
            "false_positive_rate": false_positive_rate,
            "accuracy": accuracy_score,
        }
    elif evaluation.is_classifier:
        metrics = {"accuracy": accuracy_score}
    else:
        metrics = {"mae": _mean_of_true, "mean_prediction": _mean_of_predicted}
    metrics["count"] = _weight_total
    reports = []
    for column in options.sensitive:
        compressed = _compressed(frame.get_column(column), evaluation, options.batch_rows)
        weights = compressed.get_column("w").to_numpy()
        frame_metrics = MetricFrame(
            metrics=metrics,
            y_true=compressed.get_column("y").to_numpy(),
            y_pred=compressed.get_column("p").to_numpy(),
            sensitive_features=pd.Series(compressed.get_column("g").to_list(), name=column),
            sample_params={name: {"sample_weight": weights} for name in metrics},
        )
        by_group = frame_metrics.by_group
        rows = []
        for group in sorted(by_group.index, key=str):
            record = by_group.loc[group]
            n = round(float(record["count"]))
            values = {name: _number(record[name]) for name in metrics if name != "count"}
            rows.append(
                FairnessGroup(
                    group=str(group), rows=n, metrics=values, small=n < options.min_slice_rows
                )
            )
        gaps = _gaps(rows, [m for m in metrics if m != "count"])
        reports.append(
            FairnessReport(
                column=column,
                label=evaluation.label(column),
                groups=rows,
                gaps=gaps,
                worst_gap_metric=_worst(gaps),
                sentence=_sentence(column, rows, gaps, evaluation),
            )
        )
    return reports


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return round(number, 6) if np.isfinite(number) else None


def _gaps(rows: list[FairnessGroup], names: list[str]) -> dict[str, float | None]:
    """Largest minus smallest value per metric over groups that are not small."""
    big = [r for r in rows if not r.small] or rows
    gaps: dict[str, float | None] = {}
    for name in names:
        values = [r.metrics[name] for r in big if r.metrics.get(name) is not None]
        gaps[name] = round(max(values) - min(values), 6) if len(values) >= 2 else None  # type: ignore[type-var, operator]
    return gaps


def _worst(gaps: dict[str, float | None]) -> str | None:
    rated = {k: v for k, v in gaps.items() if v is not None and k != "mean_prediction"}
    return max(sorted(rated), key=lambda k: rated[k]) if rated else None


def _sentence(
    column: str,
    rows: list[FairnessGroup],
    gaps: dict[str, float | None],
    evaluation: EvaluationSet,
) -> str:
    metric = _worst(gaps)
    name = evaluation.label(column)
    if metric is None:
        return f"`{name}` has fewer than two groups large enough to compare."
    big = [r for r in rows if not r.small] or rows
    rated = [r for r in big if r.metrics.get(metric) is not None]
    low = min(rated, key=lambda r: r.metrics[metric])  # type: ignore[arg-type, return-value]
    high = max(rated, key=lambda r: r.metrics[metric])  # type: ignore[arg-type, return-value]
    gap = gaps[metric] or 0.0
    pretty = metric.replace("_", " ")
    text = (
        f"For `{name}`, {pretty} ranges from {low.metrics[metric]:.3g} ({low.group}) to "
        f"{high.metrics[metric]:.3g} ({high.group})"
    )
    small = sum(r.small for r in rows)
    tail = f"; {small} small group(s) left out of the gap" if small else ""
    if gap >= 0.1 and metric != "mae":
        return (
            text + f", a gap of {gap:.2f}{tail}: review whether the data or the model causes it "
            "before deploying (per-group thresholds, more data for the worse group)."
        )
    return text + f"{tail}: the gap is small."
