"""Fairness: per-group metrics for sensitive columns with fairlearn's MetricFrame.

fairlearn works on pandas/numpy, so this module converts the few arrays it needs (the
evaluation rows' labels, predictions and one column) to pandas here and only here.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.error_analysis.errors import EvaluationDataError
from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.models import FairnessGroup, FairnessReport
from pipelines.error_analysis.options import ErrorAnalysisOptions

__all__ = ["fairness"]

_MISSING = "missing"


def _groups(series: pl.Series) -> np.ndarray:
    return np.asarray(series.cast(pl.String).fill_null(_MISSING).to_list(), dtype=object)


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
        count,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, mean_absolute_error

    missing = [c for c in options.sensitive if c not in frame.columns]
    if missing:
        listed = ", ".join(f"`{c}`" for c in missing)
        msg = f"sensitive column(s) {listed} are not in the evaluation data: name its columns"
        raise EvaluationDataError(msg)
    if evaluation.task.kind == "binary":
        positive = evaluation.task.classes.index(evaluation.task.positive_label or "")
        y_true = (evaluation.y_true.astype(np.int64) == positive).astype(int)
        y_pred = (evaluation.predicted.astype(np.int64) == positive).astype(int)
        metrics = {
            "selection_rate": selection_rate,
            "true_positive_rate": true_positive_rate,
            "false_positive_rate": false_positive_rate,
            "accuracy": accuracy_score,
            "count": count,
        }
    elif evaluation.is_classifier:
        y_true = evaluation.y_true.astype(np.int64)
        y_pred = evaluation.predicted.astype(np.int64)
        metrics = {"accuracy": accuracy_score, "count": count}
    else:
        y_true = evaluation.y_true.astype(np.float64)
        y_pred = evaluation.predicted.astype(np.float64)

        def mean_prediction(_: object, predicted: np.ndarray) -> float:
            return float(np.mean(predicted))

        metrics = {"mae": mean_absolute_error, "mean_prediction": mean_prediction, "count": count}
    reports = []
    for column in options.sensitive:
        groups = _groups(frame.get_column(column))
        frame_metrics = MetricFrame(
            metrics=metrics,
            y_true=pd.Series(y_true),
            y_pred=pd.Series(y_pred),
            sensitive_features=pd.Series(groups, name=column),
        )
        by_group = frame_metrics.by_group
        rows = []
        for group in sorted(by_group.index, key=str):
            record = by_group.loc[group]
            n = int(record["count"])
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
