"""What the cross-validation scores say about the fit: sentences for the train report.

`too_good` warns when CV is near perfect (the usual cause is a leaking column);
`baseline_wins` warns when a baseline beats LightGBM in most folds (a simpler model is
enough, or LightGBM needs more rows or tuning). `importance` ranks features by gain.
"""

from __future__ import annotations

import math

import lightgbm as lgb
import numpy as np

from pipelines.profile.models import finite
from pipelines.train.models import Importance

__all__ = ["baseline_wins", "importance", "too_good"]

FoldMetrics = dict[str, list[dict[str, float | None]]]

_TOO_GOOD = {
    "binary": ("roc_auc", 0.99),
    "multiclass": ("balanced_accuracy", 0.995),
    "regression": ("r2", 0.99),
}
_MOST_FOLDS = 0.8
"""Share of folds a baseline must win for the warning (4 of 5 by default)."""


def importance(booster: lgb.Booster, names: list[str]) -> list[Importance]:
    """Every feature's total gain and split count, highest gain first."""
    gains = booster.feature_importance("gain")
    splits = booster.feature_importance("split")
    rows = [
        Importance(feature=name, gain=finite(float(g)) or 0.0, splits=int(s))
        for name, g, s in zip(names, gains, splits, strict=True)
    ]
    return sorted(rows, key=lambda r: (-r.gain, r.feature))


def too_good(
    kind: str, fold_metrics: FoldMetrics, names: list[str], booster: lgb.Booster
) -> list[str]:
    """A warning when CV scores are near perfect: the usual cause is a leaking column."""
    metric, limit = _TOO_GOOD[kind]
    values = [v for fold in fold_metrics.get("lightgbm", []) if (v := fold.get(metric)) is not None]
    if not values or float(np.mean(values)) < limit:
        return []
    top = ", ".join(f"`{i.feature}`" for i in importance(booster, names)[:5])
    return [
        f"CV {metric} is {np.mean(values):.3f}, near perfect: check that no column is recorded "
        f"after the outcome (top features by gain: {top}); drop leaking ones with `features.drop`"
    ]


def _fold_values(fold_metrics: FoldMetrics, model: str, metric: str) -> list[float | None]:
    return [fold.get(metric) for fold in fold_metrics.get(model, [])]


def baseline_wins(fold_metrics: FoldMetrics, primary: str, *, greater_is_better: bool) -> list[str]:
    """A warning when a non-dummy baseline beats LightGBM on `primary` in most CV folds."""
    ours = _fold_values(fold_metrics, "lightgbm", primary)
    out = []
    for model in sorted(fold_metrics):
        if model in ("lightgbm", "dummy"):
            continue
        theirs = _fold_values(fold_metrics, model, primary)
        pairs = [
            (a, b) for a, b in zip(ours, theirs, strict=False) if a is not None and b is not None
        ]
        if not pairs:
            continue
        wins = sum((b > a) if greater_is_better else (b < a) for a, b in pairs)
        mean_ours = float(np.mean([a for a, _ in pairs]))
        mean_theirs = float(np.mean([b for _, b in pairs]))
        better = mean_theirs > mean_ours if greater_is_better else mean_theirs < mean_ours
        if better and wins >= math.ceil(_MOST_FOLDS * len(pairs)):
            out.append(
                f"the {model} baseline beats LightGBM in {wins} of {len(pairs)} CV folds "
                f"(CV {primary} {mean_theirs:.4g} against {mean_ours:.4g}): a simpler model is "
                "enough for this data; prefer it when it must be explained, or give LightGBM "
                "more rows or tuning (`train.options.tune.trials`) before trusting the difference"
            )
    return out
