"""Importance per raw column: LightGBM gain, permutation on the evaluation rows, mean |SHAP|.

Model-matrix columns (one-hot, date parts...) are added up into the raw column they came
from: gain and SHAP values are additive, and permutation shuffles a raw column's matrix
columns together (with one row order).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import polars as pl

from pipelines.error_analysis.binning import bin_column
from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.models import (
    DependencePoint,
    FeatureImportance,
    Importance,
    SamplingNote,
    ShapFeature,
)
from pipelines.error_analysis.options import ErrorAnalysisOptions

__all__ = ["feature_importance"]

_EPS = 1e-15


def _groups(evaluation: EvaluationSet) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(evaluation.transformed_names):
        groups[evaluation.source_of(name)].append(i)
    return dict(groups)


def _loss(evaluation: EvaluationSet, raw: np.ndarray, y: np.ndarray) -> float:
    """Mean loss of booster outputs: log loss (classifiers) or absolute error (regression)."""
    if evaluation.task.kind == "regression":
        return float(np.abs(y - raw).mean())
    if evaluation.task.kind == "binary":
        p = raw if evaluation.booster_class == 1 else 1 - raw
        p_true = np.where(y == 1, p, 1 - p)
    else:
        p_true = raw[np.arange(len(y)), y]
    return float(-np.log(np.clip(p_true, _EPS, 1)).mean())


def _targets(evaluation: EvaluationSet, rows: np.ndarray) -> np.ndarray:
    """What the booster's output is scored against, for the sampled rows only."""
    y = evaluation.y_true[rows]
    if evaluation.task.kind == "binary":
        return (y.astype(np.int64) == evaluation.booster_class).astype(np.int64)
    return y.astype(np.int64 if evaluation.is_classifier else np.float64)


def _sample(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    return np.arange(n) if n <= size else np.sort(rng.choice(n, size, replace=False))


def _normalise(values: dict[str, float]) -> dict[str, float]:
    total = sum(max(v, 0.0) for v in values.values())
    return {k: (max(v, 0.0) / total if total > 0 else 0.0) for k, v in values.items()}


def feature_importance(
    evaluation: EvaluationSet, options: ErrorAnalysisOptions
) -> tuple[Importance | None, list[SamplingNote], list[str]]:
    """Gain, permutation and SHAP importance; None (with a note) without a booster and matrix."""
    booster, matrix = evaluation.booster, evaluation.transformed
    if booster is None or matrix is None:
        return None, [], ["importance skipped: no LightGBM booster and model matrix were given"]
    groups = _groups(evaluation)
    rng = np.random.default_rng(options.seed)
    notes: list[SamplingNote] = []
    n = evaluation.size
    gains = booster.feature_importance(importance_type="gain")
    gain = _normalise({s: float(sum(gains[i] for i in idx)) for s, idx in groups.items()})
    # permutation: increase in loss when a raw column's matrix columns are shuffled together
    rows = _sample(n, options.permutation_rows, rng)
    _note(notes, "permutation importance", len(rows), n, options.permutation_repeats)
    base_x = np.ascontiguousarray(matrix[rows], dtype=np.float64)
    y_rows = _targets(evaluation, rows)
    baseline = _loss(evaluation, np.asarray(booster.predict(base_x, num_threads=1)), y_rows)
    permutation: dict[str, float] = {}
    permutation_std: dict[str, float] = {}
    for source, idx in sorted(groups.items()):
        increases = []
        for _ in range(options.permutation_repeats):
            shuffled = base_x.copy()
            order = rng.permutation(len(rows))
            shuffled[:, idx] = base_x[order][:, idx]
            increases.append(
                _loss(evaluation, np.asarray(booster.predict(shuffled, num_threads=1)), y_rows)
                - baseline
            )
        permutation[source] = float(np.mean(increases))
        permutation_std[source] = float(np.std(increases))
    # SHAP from LightGBM's exact TreeSHAP (pred_contrib)
    shap_rows = _sample(n, options.shap_rows, rng)
    _note(notes, "SHAP values (pred_contrib)", len(shap_rows), n, None)
    contributions = np.asarray(
        booster.predict(
            np.ascontiguousarray(matrix[shap_rows], dtype=np.float64),
            pred_contrib=True,
            num_threads=1,
        )
    )
    width = len(evaluation.transformed_names) + 1
    if evaluation.task.kind == "multiclass":
        k = len(evaluation.task.classes)
        per_class = contributions.reshape(len(shap_rows), k, width)[:, :, :-1]
        mean_abs_matrix = np.abs(per_class).mean(axis=(0, 1))
        predicted = evaluation.predicted[shap_rows].astype(np.int64)
        shap_matrix = per_class[np.arange(len(shap_rows)), predicted]
        output = "contribution to the predicted class's raw score"
    else:
        shap_matrix = contributions[:, :-1]
        mean_abs_matrix = None
        output = (
            f"contribution to the log-odds of `{evaluation.class_label(evaluation.booster_class)}`"
            if evaluation.task.kind == "binary"
            else "contribution to the predicted value"
        )
    by_source = {s: shap_matrix[:, idx].sum(axis=1) for s, idx in groups.items()}
    if mean_abs_matrix is None:
        mean_abs = {s: float(np.abs(v).mean()) for s, v in by_source.items()}
    else:
        mean_abs = {s: float(mean_abs_matrix[idx].sum()) for s, idx in groups.items()}
    shap_share = _normalise(mean_abs)
    permutation_share = _normalise(permutation)
    total_perm = sum(max(v, 0.0) for v in permutation.values())
    features = [
        FeatureImportance(
            feature=s,
            gain=round(gain[s], 6),
            permutation=round(permutation_share[s], 6),
            permutation_std=round(permutation_std[s] / total_perm, 6) if total_perm > 0 else 0.0,
            mean_abs_shap=round(shap_share[s], 6),
        )
        for s in groups
    ]
    features.sort(key=lambda f: (-(f.mean_abs_shap or 0.0), f.feature))
    top = [f.feature for f in features[: options.top_features]]
    sample_features = evaluation.features[shap_rows]
    summary = [_beeswarm(s, by_source[s], sample_features, options, rng) for s in top]
    dependence = {s: _dependence(s, by_source[s], sample_features, options) for s in top[:3]}
    dependence = {k: v for k, v in dependence.items() if v}
    return (
        Importance(
            features=features,
            permutation_metric="log loss increase" if evaluation.is_classifier else "MAE increase",
            shap_summary=summary,
            dependence=dependence,
            shap_output=output,
            sentence=_sentence(features, evaluation),
        ),
        notes,
        [],
    )


def _note(
    notes: list[SamplingNote], part: str, used: int, available: int, repeats: int | None
) -> None:
    method = "all rows" if used == available else "uniform sample"
    if repeats:
        method += f", {repeats} shuffle(s) per column"
    notes.append(SamplingNote(part=part, rows_used=used, rows_available=available, method=method))


def _beeswarm(
    source: str,
    shap: np.ndarray,
    features: pl.DataFrame,
    options: ErrorAnalysisOptions,
    rng: np.random.Generator,
) -> ShapFeature:
    n = len(shap)
    chosen = _sample(n, options.beeswarm_points, rng)
    ranks: list[float | None] = [None] * len(chosen)
    if source in features.columns and features.schema[source].is_numeric():
        values = features.get_column(source).cast(pl.Float64).to_numpy()
        finite = np.isfinite(values)
        if finite.any():
            ordered = np.sort(values[finite])
            filled = np.where(finite, values, 0.0)
            # mid-rank: tied values (many zeros) sit in the middle of their run, not at its top
            left = np.searchsorted(ordered, filled, side="left")
            right = np.searchsorted(ordered, filled, side="right")
            rank = (left + right) / (2 * len(ordered))
            ranks = [round(float(rank[i]), 4) if finite[i] else None for i in chosen]
    return ShapFeature(
        feature=source, shap=[round(float(shap[i]), 5) for i in chosen], value_rank=ranks
    )


def _dependence(
    source: str, shap: np.ndarray, features: pl.DataFrame, options: ErrorAnalysisOptions
) -> list[DependencePoint]:
    if source not in features.columns:
        return []
    bins = bin_column(features.get_column(source), bins=10, categories=options.slice_categories)
    out = []
    for code, label in enumerate(bins.labels):
        values = shap[bins.codes == code]
        if len(values) == 0:
            continue
        low, high = np.quantile(values, [0.1, 0.9])
        out.append(
            DependencePoint(
                label=label,
                rows=len(values),
                mean_shap=round(float(values.mean()), 5),
                low=round(float(low), 5),
                high=round(float(high), 5),
            )
        )
    return out


def _sentence(features: list[FeatureImportance], evaluation: EvaluationSet) -> str:
    if not features:
        return "The model uses no features."
    top = features[0]
    share = top.mean_abs_shap or 0.0
    text = (
        f"`{evaluation.label(top.feature)}` drives the predictions most ({share:.0%} of mean "
        "|SHAP|)"
    )
    if share > 0.5:
        return text + ": check it is not leaking the target and is available at prediction time."
    unused = [f.feature for f in features if (f.permutation or 0) <= 0 and (f.gain or 0) < 0.005]
    if unused:
        return text + f"; {len(unused)} column(s) add nothing: consider dropping them."
    if share > 0.3:
        return text + "; the model leans on it: check that it is measured well everywhere."
    return text + "; no single column dominates."
