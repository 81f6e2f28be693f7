"""Headline metrics with bootstrap intervals, confusion matrix, calibration, thresholds.

The bootstrap is a Poisson bootstrap: each resample weights every row by a Poisson(1) count,
so every metric is a weighted sum over the same arrays (no fancy indexing, O(n) per resample;
ROC AUC uses one sort shared by all resamples).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pipelines.error_analysis.all_rows import all_row_values
from pipelines.error_analysis.batches import DEFAULT_BATCH_ROWS, row_batches
from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.models import (
    Calibration,
    CalibrationBin,
    ClassMetrics,
    ConfusionMatrix,
    Metric,
    SamplingNote,
    ThresholdPoint,
)
from pipelines.error_analysis.options import ErrorAnalysisOptions

__all__ = ["calibration", "confusion", "headline_metrics", "threshold_sweep", "wilson"]

_EPS = 1e-15
WeightedMetric = Callable[[np.ndarray], float]


def wilson(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (sound for small n and rates near 0 or 1)."""
    if n <= 0:
        return 0.0, 1.0
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def _weighted_auc(order: np.ndarray, starts: np.ndarray, positive: np.ndarray) -> WeightedMetric:
    """ROC AUC under row weights; `order` sorts the scores, `starts` begins each tie group."""
    pos_sorted = positive[order]

    def auc(weights: np.ndarray) -> float:
        w = weights[order]
        wp = np.add.reduceat(w * pos_sorted, starts)
        wn = np.add.reduceat(w * (1.0 - pos_sorted), starts)
        total_p, total_n = wp.sum(), wn.sum()
        if total_p <= 0 or total_n <= 0:
            return float("nan")
        negatives_below = np.cumsum(wn) - wn
        return float(((negatives_below + 0.5 * wn) * wp).sum() / (total_p * total_n))

    return auc


def _tie_groups(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    return order, starts


def _classifier_metrics(
    evaluation: EvaluationSet, rows: np.ndarray
) -> dict[str, tuple[WeightedMetric, bool]]:
    y = evaluation.y_true[rows].astype(np.int64)
    assert evaluation.probabilities is not None
    proba = evaluation.probabilities[rows]
    k = proba.shape[1]
    predicted = evaluation.predicted[rows].astype(np.int64)
    correct = (predicted == y).astype(np.float64)
    log_loss = -np.log(np.clip(proba[np.arange(len(y)), y], _EPS, 1.0))
    onehot_true = np.eye(k)[y]
    onehot_pred = np.eye(k)[predicted]

    def mean_of(values: np.ndarray) -> WeightedMetric:
        return lambda w: float((w * values).sum() / w.sum())

    def f1_of(cls: int) -> WeightedMetric:
        t, p = onehot_true[:, cls], onehot_pred[:, cls]

        def f1(w: np.ndarray) -> float:
            tp = (w * t * p).sum()
            denominator = (w * (t + p)).sum()
            return float(2 * tp / denominator) if denominator > 0 else 0.0

        return f1

    def recall_of(cls: int) -> WeightedMetric:
        t, p = onehot_true[:, cls], onehot_pred[:, cls]
        return lambda w: float((w * t * p).sum() / max((w * t).sum(), _EPS))

    metrics: dict[str, tuple[WeightedMetric, bool]] = {
        "accuracy": (mean_of(correct), True),
        "log_loss": (mean_of(log_loss), False),
    }
    recalls = [recall_of(c) for c in range(k)]
    metrics["balanced_accuracy"] = (lambda w: float(np.mean([r(w) for r in recalls])), True)
    if evaluation.task.kind == "binary":
        positive = evaluation.task.classes.index(evaluation.task.positive_label or "")
        is_positive = (y == positive).astype(np.float64)
        score = proba[:, positive]
        order, starts = _tie_groups(score)
        metrics["roc_auc"] = (_weighted_auc(order, starts, is_positive), True)
        metrics["f1"] = (f1_of(positive), True)
        metrics["brier"] = (mean_of((score - is_positive) ** 2), False)
    else:
        aucs = []
        for cls in range(k):
            order, starts = _tie_groups(proba[:, cls])
            aucs.append(_weighted_auc(order, starts, onehot_true[:, cls]))
        metrics["roc_auc_ovr_macro"] = (lambda w: float(np.nanmean([a(w) for a in aucs])), True)
        f1s = [f1_of(c) for c in range(k)]
        metrics["f1_macro"] = (lambda w: float(np.mean([f(w) for f in f1s])), True)
    return metrics


def _regression_metrics(
    evaluation: EvaluationSet, rows: np.ndarray
) -> dict[str, tuple[WeightedMetric, bool]]:
    y = evaluation.y_true[rows].astype(np.float64)
    residual = y - evaluation.predicted[rows].astype(np.float64)

    def mae(w: np.ndarray) -> float:
        return float((w * np.abs(residual)).sum() / w.sum())

    def rmse(w: np.ndarray) -> float:
        return float(np.sqrt((w * residual**2).sum() / w.sum()))

    def r2(w: np.ndarray) -> float:
        mean = (w * y).sum() / w.sum()
        total = (w * (y - mean) ** 2).sum()
        return float(1 - (w * residual**2).sum() / total) if total > 0 else float("nan")

    return {"mae": (mae, False), "rmse": (rmse, False), "r2": (r2, True)}


def headline_metrics(
    evaluation: EvaluationSet, options: ErrorAnalysisOptions
) -> tuple[list[Metric], SamplingNote]:
    """Each metric on all rows, with a Poisson-bootstrap percentile interval.

    Above `options.bootstrap_rows` rows the bootstrap runs on a uniform sample of that many
    rows (m-out-of-n) and each interval's distances from the sample's value are scaled by
    sqrt(m/n) around the full-data value; the returned note says so. The full-data values
    are then added up over row batches (`all_row_values`), so no per-row array of the
    metrics is built for every row.
    """
    build = _classifier_metrics if evaluation.is_classifier else _regression_metrics
    n = evaluation.size
    rng = np.random.default_rng(options.seed)
    if n > options.bootstrap_rows:
        # the per-row arrays of `build` exist only for the sample; values come from batches
        sample = np.sort(rng.choice(n, options.bootstrap_rows, replace=False))
        metrics = build(evaluation, sample)
        full_values = all_row_values(evaluation, options.batch_rows)
    else:
        sample = np.arange(n)
        metrics = build(evaluation, sample)
        full_values = {name: function(np.ones(n)) for name, (function, _) in metrics.items()}
    m = len(sample)
    scale = float(np.sqrt(m / n))
    draws: dict[str, list[float]] = {name: [] for name in metrics}
    for _ in range(options.bootstrap):
        weights = rng.poisson(1.0, m).astype(np.float64)
        if weights.sum() == 0:
            continue
        for name, (function, _better) in metrics.items():
            draws[name].append(function(weights))
    alpha = (1 - options.confidence) / 2
    out = []
    for name, (function, higher) in metrics.items():
        value = full_values[name]
        centre = value if m == n else function(np.ones(m))
        values = np.asarray(draws[name], dtype=np.float64)
        values = values[np.isfinite(values)]
        low = high = None
        if len(values) and np.isfinite(value) and np.isfinite(centre):
            q_low, q_high = (float(v) for v in np.quantile(values, [alpha, 1 - alpha]))
            low = value - (centre - q_low) * scale
            high = value + (q_high - centre) * scale
        out.append(
            Metric(
                name=name,
                value=_finite(value),
                low=None if low is None else round(low, 6),
                high=None if high is None else round(high, 6),
                higher_is_better=higher,
            )
        )
    method = f"Poisson bootstrap, {options.bootstrap} resamples"
    if m < n:
        method += f" of a {m:,}-row sample, interval widths scaled by sqrt({m:,}/{n:,})"
    return out, SamplingNote(part="metric intervals", rows_used=m, rows_available=n, method=method)


def _finite(value: float) -> float:
    return round(float(value), 6) if np.isfinite(value) else 0.0


def confusion(evaluation: EvaluationSet, batch_rows: int = DEFAULT_BATCH_ROWS) -> ConfusionMatrix:
    """Confusion counts (added up over row batches) and per-class precision, recall, F1."""
    k = len(evaluation.task.classes)
    counts = np.zeros((k, k), dtype=np.int64)
    for offset, length in row_batches(evaluation.size, batch_rows):
        y = evaluation.y_true[offset : offset + length].astype(np.int64)
        predicted = evaluation.predicted[offset : offset + length].astype(np.int64)
        counts += np.bincount(y * k + predicted, minlength=k * k).reshape(k, k)
    per_class = []
    for cls, label in enumerate(evaluation.task.classes):
        tp = counts[cls, cls]
        predicted_total, actual_total = counts[:, cls].sum(), counts[cls, :].sum()
        precision = tp / predicted_total if predicted_total else 0.0
        recall = tp / actual_total if actual_total else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class.append(
            ClassMetrics(
                label=label,
                precision=round(float(precision), 6),
                recall=round(float(recall), 6),
                f1=round(float(f1), 6),
                support=int(actual_total),
            )
        )
    return ConfusionMatrix(
        labels=list(evaluation.task.classes), counts=counts.tolist(), per_class=per_class
    )


def calibration(evaluation: EvaluationSet, options: ErrorAnalysisOptions) -> Calibration:
    """Reliability curve in equal-width bins, and ECE (row-weighted |observed - predicted|).

    Binary: the positive class's probability against its observed rate. Multiclass: the
    top-label confidence against accuracy.
    """
    proba = evaluation.probabilities
    assert proba is not None
    size = options.calibration_bins
    edges = np.linspace(0.0, 1.0, size + 1)
    rows = np.zeros(size, dtype=np.int64)
    predicted_sum, observed_sum = np.zeros(size), np.zeros(size)
    kind = "positive_class" if evaluation.task.kind == "binary" else "top_label"
    for offset, length in row_batches(evaluation.size, options.batch_rows):
        score, outcome = _calibration_rows(
            evaluation, proba[offset : offset + length], offset, length
        )
        index = np.clip(np.digitize(score, edges[1:-1]), 0, size - 1)
        rows += np.bincount(index, minlength=size)
        predicted_sum += np.bincount(index, weights=score, minlength=size)
        observed_sum += np.bincount(index, weights=outcome, minlength=size)
    n = evaluation.size
    bins = []
    ece = 0.0
    worst: tuple[float, float, float] | None = None  # (gap, low, high), gap = predicted - observed
    for b in range(size):
        if rows[b] == 0:
            continue
        mean_predicted = predicted_sum[b] / rows[b]
        observed = observed_sum[b] / rows[b]
        ece += rows[b] / n * abs(observed - mean_predicted)
        bins.append(
            CalibrationBin(
                low=round(float(edges[b]), 6),
                high=round(float(edges[b + 1]), 6),
                mean_predicted=round(float(mean_predicted), 6),
                observed=round(float(observed), 6),
                rows=int(rows[b]),
            )
        )
        gap = float(mean_predicted - observed)
        if rows[b] >= max(30, 0.01 * n) and (worst is None or abs(gap) > abs(worst[0])):
            worst = (gap, float(edges[b]), float(edges[b + 1]))
    return Calibration(
        kind=kind,
        bins=bins,
        ece=round(float(ece), 6),
        sentence=_calibration_sentence(ece, worst, kind),
    )


def _calibration_rows(
    evaluation: EvaluationSet, proba: np.ndarray, offset: int, length: int
) -> tuple[np.ndarray, np.ndarray]:
    """(score, outcome) of one batch: positive class vs its rate, or confidence vs accuracy."""
    y = evaluation.y_true[offset : offset + length].astype(np.int64)
    if evaluation.task.kind == "binary":
        positive = evaluation.task.classes.index(evaluation.task.positive_label or "")
        return proba[:, positive], (y == positive).astype(np.float64)
    return proba.max(axis=1), (proba.argmax(axis=1) == y).astype(np.float64)


def _calibration_sentence(ece: float, worst: tuple[float, float, float] | None, kind: str) -> str:
    what = "the positive class's probability" if kind == "positive_class" else "the confidence"
    if worst is None or ece < 0.02 or abs(worst[0]) < 0.05:
        return (
            f"The probabilities are well calibrated (ECE {ece:.3f}): {what} can be read as a "
            "frequency; no recalibration needed."
        )
    gap, low, high = worst
    direction = "overconfident" if gap > 0 else "underconfident"
    return (
        f"The model is {direction} for {what} between {low:.1f} and {high:.1f} (it predicts "
        f"{abs(gap) * 100:.0f} points {'more' if gap > 0 else 'less'} than happens; "
        f"ECE {ece:.3f}): "
        "recalibrate (isotonic or Platt on held-out rows) before using the probabilities."
    )


def threshold_sweep(
    evaluation: EvaluationSet, options: ErrorAnalysisOptions
) -> list[ThresholdPoint]:
    """Binary metrics at evenly spaced thresholds on the positive class's probability."""
    proba = evaluation.probabilities
    assert proba is not None
    positive = evaluation.task.classes.index(evaluation.task.positive_label or "")
    n = evaluation.size
    thresholds = np.linspace(0.0, 1.0, options.threshold_steps + 2)[1:-1]
    counts = np.zeros((len(thresholds), 3), dtype=np.int64)  # tp, fp, fn per threshold
    for offset, length in row_batches(n, options.batch_rows):
        score = proba[offset : offset + length, positive]
        actual = evaluation.y_true[offset : offset + length].astype(np.int64) == positive
        for i, threshold in enumerate(thresholds):
            chosen = score >= threshold
            counts[i] += (
                int((chosen & actual).sum()),
                int((chosen & ~actual).sum()),
                int((~chosen & actual).sum()),
            )
    points = []
    for threshold, (tp, fp, fn) in zip(thresholds, counts.tolist(), strict=True):
        tn = n - tp - fp - fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        points.append(
            ThresholdPoint(
                threshold=round(float(threshold), 4),
                precision=round(precision, 6),
                recall=round(recall, 6),
                f1=round(2 * precision * recall / (precision + recall), 6)
                if precision + recall
                else 0.0,
                false_positive_rate=round(fp / (fp + tn), 6) if fp + tn else 0.0,
                selection_rate=round((tp + fp) / n, 6),
                accuracy=round((tp + tn) / n, 6),
            )
        )
    return points
