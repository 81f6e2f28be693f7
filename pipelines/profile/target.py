"""The target: its distribution, class balance and each feature's association with it."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.profile.associations import (
    codes_of,
    correlation_ratio,
    cramers_v,
    pearson,
    values_of,
)
from pipelines.profile.models import (
    ColumnProfile,
    TargetAssociation,
    TargetProfile,
    ValueCount,
    finite,
)
from pipelines.task import TaskKind

__all__ = ["is_classification", "target_profile"]

_FEATURE_TYPES = ("numeric", "categorical", "boolean", "datetime")


def is_classification(column: ColumnProfile) -> bool:
    """Categorical and boolean targets, and integers with at most 20 values, are classes."""
    if column.semantic_type in ("categorical", "boolean"):
        return True
    return column.dtype.startswith(("Int", "UInt")) and column.distinct <= 20


def _association(
    sample: pl.DataFrame, feature: ColumnProfile, target: str, *, classes: bool
) -> tuple[str, float | None]:
    numeric_feature = feature.semantic_type in ("numeric", "datetime")
    if classes:
        t_codes = codes_of(sample[target])
        if numeric_feature:
            return "correlation ratio", correlation_ratio(*t_codes, values_of(sample[feature.name]))
        return "cramers v", cramers_v(*codes_of(sample[feature.name]), *t_codes)
    t_values = values_of(sample[target])
    if numeric_feature:
        r = pearson(values_of(sample[feature.name]), t_values)
        return "abs pearson", None if r is None else abs(r)
    return "correlation ratio", correlation_ratio(*codes_of(sample[feature.name]), t_values)


def _missingness_association(
    sample: pl.DataFrame, feature: str, target: str, *, classes: bool
) -> float | None:
    indicator = sample[feature].is_null().cast(pl.Int64).to_numpy().astype(np.int64)
    if indicator.min() == indicator.max():
        return None
    if classes:
        return cramers_v(indicator, 2, *codes_of(sample[target]))
    return correlation_ratio(indicator, 2, values_of(sample[target]))


def target_profile(
    sample: pl.DataFrame,
    target: ColumnProfile,
    columns: list[ColumnProfile],
    *,
    kind: TaskKind = "auto",
    label_variants: list[list[str]] | None = None,
) -> TargetProfile:
    """Distribution of `target` and every usable feature's 0..1 association with it.

    `kind` other than `auto` (from the task) decides classes vs regression; `auto` reads
    categorical, boolean and few-valued integer targets as classes. ID and free-text columns
    are skipped (their many levels make any association meaningless). `label_variants`
    (groups of one label spelled several ways) adds the class counts with them merged.
    """
    classes = is_classification(target) if kind == "auto" else kind != "regression"
    found: list[TargetAssociation] = []
    labelled = sample.filter(pl.col(target.name).is_not_null())
    for feature in columns:
        if feature.name == target.name or labelled.height < 10:
            continue
        usable = feature.semantic_type in _FEATURE_TYPES
        method, value = (
            _association(labelled, feature, target.name, classes=classes) if usable else ("", None)
        )
        missing = (
            _missingness_association(labelled, feature.name, target.name, classes=classes)
            if feature.nulls
            else None
        )
        if value is None and missing is None:
            continue
        found.append(
            TargetAssociation(
                column=feature.name,
                method=method or "missingness",
                value=finite(value, 4) or 0.0,
                missingness_value=finite(missing, 4),
            )
        )
    found.sort(key=lambda a: (-max(a.value, a.missingness_value or 0.0), a.column))
    counts = target.top_values if classes else []
    imbalance = None
    if classes and len(target.tracked_counts or {}) >= 2:
        values = list(target.tracked_counts.values())
        imbalance = finite(min(values) / max(values), 4)
    elif classes and len(counts) >= 2:
        imbalance = finite(counts[-1].count / counts[0].count, 4)
    variants = (label_variants or []) if classes else []
    merged = _merged_classes(target, variants) if variants else []
    merged_imbalance = None
    if len(merged) >= 2 and merged[0].count:
        merged_imbalance = finite(merged[-1].count / merged[0].count, 4)
    return TargetProfile(
        column=target.name,
        task="classification" if classes else "regression",
        classes=counts,
        imbalance_ratio=imbalance,
        associations=found,
        label_variants=variants,
        merged_classes=merged,
        merged_imbalance_ratio=merged_imbalance,
    )


def _merged_classes(target: ColumnProfile, variants: list[list[str]]) -> list[ValueCount]:
    """Class counts with each variant group counted under its first (most frequent) spelling."""
    counts = dict(target.tracked_counts) or {v.value: v.count for v in target.top_values}
    spelling = {value: group[0] for group in variants for value in group}
    merged: dict[str, int] = {}
    for value, count in counts.items():
        label = spelling.get(value, value)
        merged[label] = merged.get(label, 0) + count
    ordered = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    return [ValueCount(value=value, count=count) for value, count in ordered]
