"""Features stage: `features(frame, task=, options=, profile=, names=, flavour=) -> FeaturesResult`.

Fit on training rows only (the caller splits first). The returned `data` holds the training
rows' features with out-of-fold target encodings; `pipeline.transform` encodes new rows.
"""

from __future__ import annotations

from typing import Any, Literal

import polars as pl

from pipelines.columns import ColumnNames
from pipelines.features.errors import (
    FeatureArtifactError,
    FeatureDtypeError,
    FeatureInputError,
    FeaturesError,
)
from pipelines.features.guard import ensure_numeric_frame
from pipelines.features.models import FeatureDecision, FeaturesReport, FeaturesResult
from pipelines.features.options import Encoding, FeaturesOptions
from pipelines.features.persist import (
    ALLOWED_TYPES,
    load_feature_pipeline,
    save_feature_pipeline,
)
from pipelines.features.pipeline import FEATURE_ACTIONS, FeaturePipeline
from pipelines.features.plan import plan_features
from pipelines.profile import Profile
from pipelines.profile import profile as profile_frame
from pipelines.task import ResolvedTask, TaskSpec

__all__ = [
    "ALLOWED_TYPES",
    "FEATURE_ACTIONS",
    "Encoding",
    "FeatureArtifactError",
    "FeatureDecision",
    "FeatureDtypeError",
    "FeatureInputError",
    "FeaturePipeline",
    "FeaturesError",
    "FeaturesOptions",
    "FeaturesReport",
    "FeaturesResult",
    "ensure_numeric_frame",
    "features",
    "load_feature_pipeline",
    "save_feature_pipeline",
]


def features(
    frame: pl.DataFrame,
    *,
    task: ResolvedTask,
    options: FeaturesOptions = FeaturesOptions(),  # noqa: B008 - frozen, so a safe default
    profile: Profile | Any | None = None,
    names: ColumnNames | None = None,
    flavour: Literal["lightgbm", "linear"] = "lightgbm",
) -> FeaturesResult:
    """Decide, fit and apply the features for the training rows `frame`.

    Parameters
    ----------
    frame
        Training rows only; the target column may be present (it is never a feature).
    task
        The resolved task: target and kind (target encoding depends on it).
    options
        Keep/drop lists, per-column encodings, crosses and thresholds.
    profile
        The profile of `frame` (a `ProfileReport`, or the `ProfileResult` holding it);
        computed from `frame` when None. Pass a profile of the training rows only: a profile
        of all rows would let test rows decide which columns are kept and how.
        Its semantic types decide `auto`, and its findings drop ID-like, constant, duplicate
        and leaking columns.
    names
        Source-file names for the columns, so options may use either spelling.
    flavour
        `lightgbm` (NaN kept, native categoricals) or `linear` (imputed, scaled, one-hot).

    Returns
    -------
    FeaturesResult
        The fitted pipeline, the training rows' features (out-of-fold target encodings),
        and the report with one decision per input column.

    Raises
    ------
    FeaturesError
        No usable column, or the target is missing where target encoding needs it.
    ColumnNotFoundError
        A column named in the options is not in the frame.
    """
    names = names or ColumnNames(tuple(frame.columns))
    if profile is not None:
        report_profile = _profile_report(profile)
    else:
        spec = TaskSpec(target=task.target, kind=task.kind, positive_label=task.positive_label)
        has_target = task.target in frame.columns
        report_profile = profile_frame(frame, task=spec if has_target else None, names=names).report
    decisions, crosses = plan_features(
        frame,
        task=task,
        options=options,
        profile=report_profile,
        names=names,
        flavour=flavour,
    )
    pipeline = FeaturePipeline(
        plan=tuple((d.column, d.action, d.reason) for d in decisions),
        target=task.target,
        task_kind=task.kind,
        flavour=flavour,
        crosses=crosses,
        rare_min_count=options.rare_min_count,
        target_encoding_folds=options.target_encoding_folds,
        seed=options.seed,
    )
    data = pipeline.fit_transform(frame)
    source = "the profile passed in" if profile is not None else "a profile of these rows"
    notes = [f"column types and findings from {source}; fitted on {frame.height:,} training rows."]
    if any(d.action == "target_encode" for d in decisions):
        notes.append(
            f"`data` holds out-of-fold target encodings ({options.target_encoding_folds} folds), "
            "so no training row is encoded with its own target; `pipeline.transform` applies "
            "the encoding learned on all training rows to new rows."
        )
    dropped: dict[str, list[str]] = {}
    for d in decisions:
        if d.action.startswith("dropped"):
            dropped.setdefault(d.action, []).append(d.column)
    report = FeaturesReport(
        flavour=flavour,
        target=task.target,
        task_kind=task.kind,
        rows=frame.height,
        input_columns=frame.width,
        feature_names=list(pipeline.feature_names_out_),
        categorical_features=list(pipeline.categorical_features_),
        decisions=[
            FeatureDecision(
                column=d.column,
                label=names.label(d.column),
                semantic_type=d.semantic_type,
                action=d.action,
                reason=d.reason,
                kept_by_user=d.kept_by_user,
                outputs=pipeline.outputs_by_column_.get(d.column, []),
            )
            for d in decisions
        ],
        dropped=dict(sorted(dropped.items())),
        notes=notes,
    )
    return FeaturesResult(pipeline=pipeline, data=data, report=report)


def _profile_report(profile: Any) -> Profile:
    """Accept a `ProfileReport`, or a `ProfileResult` that carries it as `.report`."""
    if isinstance(profile, Profile):
        return profile
    report = getattr(profile, "report", None)
    if isinstance(report, Profile):
        return report
    msg = f"`profile` must be a Profile (or have one as `.report`), got {type(profile).__name__}"
    raise FeaturesError(msg)
