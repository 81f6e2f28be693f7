"""Headline metric values on every row, added up over row batches (mergeable counts).

Above `bootstrap_rows` rows the bootstrap runs on a sample, but each metric's value is still
computed on all rows: here, from per-batch sums and counts (confusion counts, sums of loss)
and, for ROC AUC, a table of positives and negatives per distinct score merged over batches.
Memory follows `batch_rows` and the number of distinct scores, never a copy of every row.
The formulas are those of `metrics._classifier_metrics` / `_regression_metrics` at weight 1.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.error_analysis.batches import row_batches
from pipelines.error_analysis.evaluation import EvaluationSet

__all__ = ["all_row_values"]

_EPS = 1e-15


def _auc(table: pl.DataFrame) -> float:
    """ROC AUC from positives `p` and negatives `q` per distinct score (ties count half)."""
    ordered = table.group_by("score").agg(pl.col("p", "q").sum()).sort("score")
    wp = ordered.get_column("p").to_numpy().astype(np.float64)
    wn = ordered.get_column("q").to_numpy().astype(np.float64)
    total_p, total_n = wp.sum(), wn.sum()
    if total_p <= 0 or total_n <= 0:
        return float("nan")
    negatives_below = np.cumsum(wn) - wn
    return float(((negatives_below + 0.5 * wn) * wp).sum() / (total_p * total_n))


def _score_table(score: np.ndarray, positive: np.ndarray) -> pl.DataFrame:
    """Positives and negatives per distinct score of one batch."""
    frame = pl.DataFrame({"score": score, "p": positive.astype(np.int64)})
    return frame.group_by("score").agg(pl.col("p").sum(), q=pl.len() - pl.col("p").sum())


def _classifier_values(evaluation: EvaluationSet, batch_rows: int) -> dict[str, float]:
    proba = evaluation.probabilities
    assert proba is not None
    k = proba.shape[1]
    binary = evaluation.task.kind == "binary"
    positive = evaluation.task.classes.index(evaluation.task.positive_label or "") if binary else 0
    counts = np.zeros((k, k), dtype=np.int64)  # actual x predicted
    log_loss = brier = 0.0
    tables: list[list[pl.DataFrame]] = [[] for _ in range(k)]
    for offset, length in row_batches(evaluation.size, batch_rows):
        end = offset + length
        y = evaluation.y_true[offset:end].astype(np.int64)
        predicted = evaluation.predicted[offset:end].astype(np.int64)
        p = proba[offset:end]
        counts += np.bincount(y * k + predicted, minlength=k * k).reshape(k, k)
        log_loss += float(-np.log(np.clip(p[np.arange(length), y], _EPS, 1.0)).sum())
        if binary:
            is_positive = y == positive
            brier += float(((p[:, positive] - is_positive) ** 2).sum())
            tables[positive].append(_score_table(p[:, positive], is_positive))
        else:
            for cls in range(k):
                tables[cls].append(_score_table(p[:, cls], y == cls))
    n = evaluation.size
    tp, actual, chosen = np.diag(counts), counts.sum(axis=1), counts.sum(axis=0)
    recalls = [float(tp[c] / max(actual[c], _EPS)) for c in range(k)]
    f1s = [
        float(2 * tp[c] / (actual[c] + chosen[c])) if actual[c] + chosen[c] else 0.0
        for c in range(k)
    ]
    values = {
        "accuracy": float(tp.sum() / n),
        "log_loss": log_loss / n,
        "balanced_accuracy": float(np.mean(recalls)),
    }
    if binary:
        values["roc_auc"] = _auc(pl.concat(tables[positive]))
        values["f1"] = f1s[positive]
        values["brier"] = brier / n
    else:
        values["roc_auc_ovr_macro"] = float(np.nanmean([_auc(pl.concat(t)) for t in tables]))
        values["f1_macro"] = float(np.mean(f1s))
    return values


def _regression_values(evaluation: EvaluationSet, batch_rows: int) -> dict[str, float]:
    n = evaluation.size
    absolute = squared = y_sum = 0.0
    for offset, length in row_batches(n, batch_rows):
        y = evaluation.y_true[offset : offset + length].astype(np.float64)
        residual = y - evaluation.predicted[offset : offset + length].astype(np.float64)
        absolute += float(np.abs(residual).sum())
        squared += float((residual**2).sum())
        y_sum += float(y.sum())
    mean = y_sum / n
    total = 0.0  # second pass: squares around the mean, as r2 computes them
    for offset, length in row_batches(n, batch_rows):
        y = evaluation.y_true[offset : offset + length].astype(np.float64)
        total += float(((y - mean) ** 2).sum())
    return {
        "mae": absolute / n,
        "rmse": float(np.sqrt(squared / n)),
        "r2": float(1 - squared / total) if total > 0 else float("nan"),
    }


def all_row_values(evaluation: EvaluationSet, batch_rows: int) -> dict[str, float]:
    """Every headline metric's value on all rows, one batch of `batch_rows` rows at a time."""
    if evaluation.is_classifier:
        return _classifier_values(evaluation, batch_rows)
    return _regression_values(evaluation, batch_rows)
