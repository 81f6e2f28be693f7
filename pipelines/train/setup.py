"""Before fitting: set aside rows without a target, decide and make the split, warn on leaks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.columns import ColumnNames
from pipelines.profile import profile as profile_frame
from pipelines.profile.models import Profile, finite
from pipelines.profile.options import ProfileOptions
from pipelines.task import ResolvedTask, TaskSpec
from pipelines.train.errors import TrainError
from pipelines.train.frames import KEY_COLUMNS, encode_target, model_classes
from pipelines.train.models import (
    EntityOverlap,
    FeatureDecision,
    Imbalance,
    RowCounts,
    SplitSummary,
)
from pipelines.train.options import TrainOptions
from pipelines.train.splits import Splits, entity_overlap, make_splits

__all__ = ["Prepared", "entity_columns", "imbalance_of", "prepare"]

_IMBALANCE_RATIO = 4.0


@dataclass(frozen=True)
class Prepared:
    """The rows and decisions `train` fits on."""

    task: ResolvedTask
    names: ColumnNames
    profile: Profile
    rows: RowCounts
    split_summary: SplitSummary
    splits: Splits
    y: np.ndarray
    train_rows: pl.DataFrame
    test_rows: pl.DataFrame
    set_aside: pl.DataFrame
    model_columns: list[str]
    schema_columns: list[str]
    key_columns: list[str]
    decisions: list[FeatureDecision]
    warnings: list[str]
    notes: list[str]


def _split_kind(options: TrainOptions, spec: TaskSpec, task: ResolvedTask) -> tuple[str, str]:
    if options.split != "auto":
        return options.split, f"`{options.split}` split as set in the options"
    if spec.group is not None:
        return "group", f"group split because the task names `{spec.group}` as the entity column"
    if spec.time is not None:
        return "time", f"time split (latest rows held out) by `{spec.time}`"
    if task.kind == "regression":
        return "random", "random split (regression target)"
    return "stratified", "stratified split (class shares kept in every part)"


def entity_columns(profile: Profile | None, spec: TaskSpec) -> list[str]:
    """Columns holding entity IDs: the task's group plus ID-like columns the profile saw repeat."""
    found = [spec.group] if spec.group else []
    if profile is not None:
        for alert in profile.alerts:
            if alert.kind == "repeated_ids" and alert.column and alert.column not in found:
                found.append(alert.column)
    return [c for c in found if c is not None]


def _group_keys(frame: pl.DataFrame, column: str) -> np.ndarray:
    values = frame.get_column(column).cast(pl.String)
    filled = values.fill_null(pl.Series([f"\x00row{i}" for i in range(len(values))]))
    return filled.to_numpy().astype(str)


def prepare(
    keyed: pl.DataFrame,
    spec: TaskSpec,
    task: ResolvedTask,
    options: TrainOptions,
    profile: Profile | None,
    names: ColumnNames,
) -> Prepared:
    """Set aside unusable rows, encode the target, split, and collect warnings."""
    target = task.target
    kind, decided = _split_kind(options, spec, task)
    if kind == "group" and spec.group is None:
        msg = "a group split needs an entity column: pass `--group COLUMN` (task.group)"
        raise TrainError(msg)
    if kind == "time" and spec.time is None:
        msg = "a time split needs a date column: set `task.time` to one"
        raise TrainError(msg)
    time_missing = pl.col(str(spec.time)).is_null() if kind == "time" else pl.lit(False)
    reason = (
        pl.when(pl.col(target).is_null())
        .then(pl.lit("missing_target"))
        .when(time_missing)
        .then(pl.lit("missing_time"))
        .otherwise(None)
    )
    flagged = keyed.with_columns(reason.alias("_reason"))
    set_aside = flagged.filter(pl.col("_reason").is_not_null())
    kept = flagged.filter(pl.col("_reason").is_null()).drop("_reason")
    y = encode_target(kept.get_column(target), task)
    groups = _group_keys(kept, spec.group) if spec.group else None
    order = kept.get_column(str(spec.time)).to_physical().to_numpy() if kind == "time" else None
    splits = make_splits(
        y,
        kind=kind,
        test_size=options.test_size,
        folds=options.folds,
        seed=options.seed,
        groups=groups if kind == "group" else None,
        order=order,
    )
    keys = [c for c in KEY_COLUMNS if c in keyed.columns]
    excluded = {*keys, *([spec.group] if spec.group else [])}
    model_columns = [c for c in kept.columns if c not in excluded]
    train_rows = kept[splits.train]
    if profile is None:  # one profile, of the training rows only, shared by every fit
        profile = profile_frame(
            train_rows.select(model_columns),
            task=TaskSpec(target=target, kind=task.kind),
            options=ProfileOptions(sample_rows=options.profile_sample_rows),
        ).report
    warnings, overlaps = _overlap_warnings(kept, splits, kind, spec, profile, names)
    notes = [task.decided, f"split: {decided}", *splits.notes]
    reasons = set_aside.group_by("_reason").len().sort("_reason")
    rows = RowCounts(
        rows_in=keyed.height,
        train=len(splits.train),
        test=len(splits.test),
        set_aside=set_aside.height,
        set_aside_reasons={str(r): int(n) for r, n in reasons.iter_rows()},
    )
    if set_aside.height:
        notes.append(
            f"{set_aside.height:,} rows set aside: "
            + ", ".join(f"{n:,} {r.replace('_', ' ')}" for r, n in rows.set_aside_reasons.items())
        )
    decisions = []
    if spec.group:
        decisions.append(
            FeatureDecision(
                column=spec.group,
                action="dropped_group",
                reason=(
                    "dropped: the entity (group) column keeps each entity's rows on one "
                    "side of every split; it is not a feature"
                ),
            )
        )
    summary = SplitSummary(
        kind=splits.kind,  # type: ignore[arg-type]
        decided=decided,
        test_size=options.test_size,
        folds=len(splits.folds) if options.folds >= 2 else 0,
        seed=options.seed,
        group=spec.group,
        time=spec.time,
        overlaps=overlaps,
    )
    return Prepared(
        task=task,
        names=names,
        profile=profile,
        rows=rows,
        split_summary=summary,
        splits=splits,
        y=y,
        train_rows=train_rows,
        test_rows=kept[splits.test],
        set_aside=set_aside,
        model_columns=model_columns,
        schema_columns=[c for c in kept.columns if c not in excluded],
        key_columns=keys,
        decisions=decisions,
        warnings=warnings,
        notes=notes,
    )


def _overlap_warnings(
    kept: pl.DataFrame,
    splits: Splits,
    kind: str,
    spec: TaskSpec,
    profile: Profile,
    names: ColumnNames,
) -> tuple[list[str], list[EntityOverlap]]:
    if kind == "group":
        return [], []
    warnings, overlaps = [], []
    for column in entity_columns(profile, spec):
        if column not in kept.columns:
            continue
        groups = _group_keys(kept, column)
        total, shared, train_rows, test_rows = entity_overlap(groups, splits.train, splits.test)
        if shared == 0:
            continue
        label = names.label(column)
        overlaps.append(
            EntityOverlap(
                column=column,
                label=label,
                entities=total,
                entities_in_both=shared,
                train_rows_of_shared=train_rows,
                test_rows_of_shared=test_rows,
            )
        )
        warnings.append(
            f"`{label}` repeats and the {kind} split put {shared:,} of its {total:,} entities on "
            f"both sides ({train_rows:,} training rows, {test_rows:,} test rows): test scores may "
            f'be optimistic; pass `--group "{names.original(column)}"` for a group split'
        )
    return warnings, overlaps


def imbalance_of(y: np.ndarray, task: ResolvedTask, options: TrainOptions) -> Imbalance | None:
    """Class counts in the training part and whether to weight classes (None for regression)."""
    if task.kind == "regression":
        return None
    classes = model_classes(task)
    counts = np.bincount(y.astype(np.int64), minlength=len(classes))
    ratio = float(counts.max() / max(counts.min(), 1))
    if options.class_weight == "balanced":
        method, note = "balanced_weights", "balanced class weights, as set in the options"
    elif options.class_weight == "none":
        method, note = "none", "no class weights, as set in the options"
    elif ratio >= _IMBALANCE_RATIO:
        method = "balanced_weights"
        note = (
            f"largest class is {ratio:.1f}x the smallest (>= {_IMBALANCE_RATIO:g}x): "
            "balanced class weights"
        )
    else:
        method = "none"
        note = (
            f"largest class is {ratio:.1f}x the smallest (< {_IMBALANCE_RATIO:g}x): "
            "no class weights"
        )
    if task.kind == "binary":
        note += "; the decision threshold is chosen on out-of-fold predictions"
    return Imbalance(
        class_counts={label: int(n) for label, n in zip(classes, counts, strict=True)},
        ratio=finite(ratio) or 0.0,
        method=method,  # type: ignore[arg-type]
        note=note,
    )
