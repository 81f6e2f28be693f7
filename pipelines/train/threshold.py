"""Binary decision threshold chosen on out-of-fold probabilities: best F1, or least cost."""

from __future__ import annotations

import numpy as np

from pipelines.profile.models import finite
from pipelines.train.models import ThresholdChoice
from pipelines.train.options import ThresholdOptions

__all__ = ["choose_threshold"]

_GRID = np.round(np.linspace(0.02, 0.98, 49), 2)


def _confusion(y: np.ndarray, score: np.ndarray, cut: float) -> tuple[int, int, int]:
    predicted = score >= cut
    tp = int(np.sum(predicted & (y == 1)))
    fp = int(np.sum(predicted & (y == 0)))
    fn = int(np.sum(~predicted & (y == 1)))
    return tp, fp, fn


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def choose_threshold(
    y: np.ndarray, score: np.ndarray, options: ThresholdOptions
) -> ThresholdChoice:
    """Scan thresholds 0.02..0.98; keep the best by `options.objective` (ties: nearest 0.5)."""
    f1s, costs = [], []
    for cut in _GRID:
        tp, fp, fn = _confusion(y, score, float(cut))
        f1s.append(_f1(tp, fp, fn))
        costs.append((fp + options.cost_ratio * fn) / len(y))
    f1_arr, cost_arr = np.array(f1s), np.array(costs)
    closeness = -np.abs(_GRID - 0.5) * 1e-9
    if options.objective == "f1":
        best = int(np.argmax(f1_arr + closeness))
    else:
        best = int(np.argmin(cost_arr - closeness))
    cut = float(_GRID[best])
    tp, fp, fn = _confusion(y, score, cut)
    half = _confusion(y, score, 0.5)
    return ThresholdChoice(
        objective=options.objective,
        cost_ratio=options.cost_ratio,
        threshold=cut,
        precision=finite(tp / (tp + fp)) if tp + fp else 0.0,
        recall=finite(tp / (tp + fn)) if tp + fn else 0.0,
        f1=finite(_f1(tp, fp, fn)) or 0.0,
        f1_at_half=finite(_f1(*half)) or 0.0,
        curve_thresholds=[float(c) for c in _GRID],
        curve_f1=[finite(v) or 0.0 for v in f1s],
        curve_cost=[finite(v) or 0.0 for v in costs],
    )
