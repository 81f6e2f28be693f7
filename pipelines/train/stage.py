"""`train`: split, fit features on train rows only, cross-validate, fit the final model, test it."""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import polars as pl

from pipelines.columns import ColumnNames
from pipelines.features import FeaturePipeline, FeaturesOptions, FeaturesReport, features
from pipelines.predict.schema import InputSchema
from pipelines.profile.models import Profile, ProfileResult, finite
from pipelines.task import ResolvedTask, TaskSpec, resolve_task
from pipelines.train.baselines import dummy_predict, fit_linear, linear_predict
from pipelines.train.booster import (
    FinalFit,
    booster_params,
    check_final_fit,
    fit_booster,
    float32_thresholds,
    numeric_matrix,
    predict_booster,
)
from pipelines.train.cv import (
    FoldMap,
    FoldMatrices,
    balanced_weights,
    cross_validate,
    leaderboard,
    score,
    summarise,
)
from pipelines.train.frames import KEY_COLUMNS, prediction_frame, with_row_key
from pipelines.train.learning import learning_curve, loss
from pipelines.train.metrics import primary_metric
from pipelines.train.model import TrainedModel
from pipelines.train.models import FeatureDecision, TrainingCurve, TrainReport
from pipelines.train.options import TrainOptions
from pipelines.train.setup import Prepared, imbalance_of, prepare
from pipelines.train.threshold import choose_threshold
from pipelines.train.tuning import tune
from pipelines.train.verdicts import baseline_wins, importance, too_good

__all__ = ["FinalFit", "TrainResult", "train"]

_DEFAULTS = TrainOptions()


@dataclass(frozen=True)
class TrainResult:
    """The fitted model's parts, its prediction frames, the rows set aside, and the report."""

    booster: lgb.Booster
    pipeline: FeaturePipeline
    task: ResolvedTask
    input_schema: InputSchema
    threshold: float | None
    feature_names: list[str]
    holdout: pl.DataFrame
    oof_predictions: pl.DataFrame
    test_predictions: pl.DataFrame
    set_aside: pl.DataFrame
    features_report: FeaturesReport
    report: TrainReport

    @property
    def model(self) -> TrainedModel:
        """The model as `load_model` would give it back."""
        return TrainedModel(
            booster=self.booster,
            pipeline=self.pipeline,
            task=self.task,
            input_schema=self.input_schema,
            threshold=self.threshold,
            feature_names=list(self.feature_names),
        )


@dataclass(frozen=True)
class _Fitted:
    pipeline: FeaturePipeline
    matrix: np.ndarray
    names: list[str]
    categorical: list[str]
    report: FeaturesReport


class _Featurizer:
    """Fits the feature pipeline (on the rows it is given only) and transforms other rows."""

    def __init__(
        self,
        task: ResolvedTask,
        options: FeaturesOptions,
        profile: Profile,
        names: ColumnNames,
    ) -> None:
        self.task, self.options, self.profile, self.names = task, options, profile, names

    def fit(self, rows: pl.DataFrame, flavour: str = "lightgbm") -> _Fitted:
        result = features(
            rows,
            task=self.task,
            options=self.options,
            profile=self.profile,
            names=self.names,
            flavour=flavour,  # type: ignore[arg-type]
        )
        data = result.data.drop(
            [c for c in (self.task.target, *KEY_COLUMNS) if c in result.data.columns]
        )
        categorical = [c for c in result.pipeline.categorical_features_ if c in data.columns]
        return _Fitted(
            result.pipeline, numeric_matrix(data), data.columns, categorical, result.report
        )

    def transform(self, fitted: _Fitted, rows: pl.DataFrame) -> np.ndarray:
        inputs = rows.drop([c for c in (self.task.target,) if c in rows.columns])
        return numeric_matrix(fitted.pipeline.transform(inputs).select(fitted.names))


def train(
    frame: pl.DataFrame,
    *,
    task: TaskSpec,
    options: TrainOptions = _DEFAULTS,
    profile: Profile | ProfileResult | None = None,
    names: ColumnNames | None = None,
    features_options: FeaturesOptions | None = None,
    map_folds: FoldMap | None = None,
    final_fit: FinalFit | None = None,
) -> TrainResult:
    """Train LightGBM (and baselines) on `frame` for `task`; nothing is written.

    Rows without a target are set aside (counted). The test rows are held out before anything
    is fitted; the feature pipeline is fitted on training rows only (per fold for CV).
    `map_folds` (a `map`, e.g. over a Dask cluster) fits the CV folds in parallel with
    identical results; `final_fit` fits the final model (required by `distributed: dask`).

    Raises
    ------
    TrainError
        Too few rows, an unusable split column, or features that are not all numeric;
        `distributed: dask` without a `final_fit`.
    TaskError
        The target does not fit the task.
    """
    check_final_fit(options.distributed, final_fit)
    names = names or ColumnNames(tuple(frame.columns))
    if isinstance(profile, ProfileResult):
        profile = profile.report
    spec = task.resolved(names)
    resolved = resolve_task(frame, spec)
    prepared = prepare(with_row_key(frame), spec, resolved, options, profile, names)
    featurizer = _Featurizer(
        resolved, features_options or FeaturesOptions(), prepared.profile, names
    )
    return _fit(prepared, featurizer, options, map_folds, final_fit)


def _fit(
    prepared: Prepared,
    featurizer: _Featurizer,
    options: TrainOptions,
    map_folds: FoldMap | None = None,
    final_fit: FinalFit | None = None,
) -> TrainResult:
    task = prepared.task
    kind, classes = task.kind, max(len(task.classes), 1)
    train_rows, test_rows = prepared.train_rows, prepared.test_rows
    model_in = prepared.model_columns
    y_train, y_test = prepared.y[prepared.splits.train], prepared.y[prepared.splits.test]
    imbalance = imbalance_of(y_train, task, options)
    balance = imbalance is not None and imbalance.method == "balanced_weights"
    folds = _fold_matrices(prepared, featurizer, options)
    lgb_options, tuning = options.lightgbm, None
    if options.tune.trials > 0 and folds:
        lgb_options, tuning = tune(
            folds, y_train, kind=kind, classes=classes, options=options, balance=balance
        )
    params = booster_params(
        kind, classes, lgb_options, seed=options.seed, num_threads=options.num_threads
    )
    early = lgb_options.early_stopping_rounds
    outcome = cross_validate(
        folds,
        y_train,
        kind=kind,
        classes=classes,
        params=params,
        max_rounds=lgb_options.max_rounds,
        early_stopping_rounds=early,
        balance=balance,
        baselines=options.baselines,
        seed=options.seed,
        map_folds=map_folds,
    )
    final_rounds = (
        max(1, int(np.median(outcome.best_iterations)))
        if outcome.best_iterations and early > 0
        else lgb_options.max_rounds
    )
    final = featurizer.fit(train_rows.select(model_in))
    weights = balanced_weights(y_train, classes) if balance else None
    fit = (final_fit if options.distributed == "dask" and final_fit else fit_booster)(
        final.matrix,
        y_train,
        params=params,
        rounds=final_rounds,
        feature_names=final.names,
        categorical=final.categorical,
        weights=weights,
    )
    booster = float32_thresholds(fit.booster)  # so the ONNX twin takes the same branches
    x_test = featurizer.transform(final, test_rows.select(model_in))
    test_pred = predict_booster(booster, x_test, kind)
    covered = outcome.covered
    choice = None
    if kind == "binary" and covered.any():
        choice = choose_threshold(y_train[covered], outcome.oof[covered, 1], options.threshold)
    threshold = choice.threshold if choice is not None else (0.5 if kind == "binary" else None)
    test_metrics = score(y_test, test_pred, kind, threshold)
    baselines_test: dict[str, dict[str, float | None]] = {}
    if options.baselines:
        baselines_test["dummy"] = score(
            y_test, dummy_predict(y_train, len(y_test), kind, classes), kind
        )
        linear_final = featurizer.fit(train_rows.select(model_in), "linear")
        linear = fit_linear(linear_final.matrix, y_train, kind, seed=options.seed, weights=weights)
        x_lin = featurizer.transform(linear_final, test_rows.select(model_in))
        baselines_test["linear"] = score(y_test, linear_predict(linear, x_lin, kind, classes), kind)
    primary, greater = primary_metric(kind)
    curve = None
    if options.learning_curve.enabled and folds:
        first = folds[0]
        dummy_loss = loss(
            y_train[first.valid],
            dummy_predict(y_train[first.fit], len(first.valid), kind, classes),
            kind,
        )
        curve = learning_curve(
            first.x_fit,
            y_train[first.fit],
            first.x_valid,
            y_train[first.valid],
            kind=kind,
            params=params,
            rounds=final_rounds,
            feature_names=first.names,
            categorical=first.categorical,
            sizes=options.learning_curve.sizes,
            seed=options.seed,
            dummy=dummy_loss,
        )
    schema = InputSchema.from_frame(
        train_rows.select(prepared.schema_columns), exclude=(task.target,), names=prepared.names
    )
    train_keys = train_rows.select(prepared.key_columns)
    oof = prediction_frame(
        train_keys.filter(pl.Series(covered)),
        outcome.oof[covered],
        task,
        threshold=threshold,
        y_true=y_train[covered],
    )
    test_frame = prediction_frame(
        test_rows.select(prepared.key_columns), test_pred, task, threshold=threshold, y_true=y_test
    )
    curves = [
        *outcome.curves,
        TrainingCurve(
            fold=None,
            metric=fit.metric,
            train=[finite(v) or 0.0 for v in fit.train_curve],
            valid=[],
            best_iteration=final_rounds,
        ),
    ]
    decisions = [
        FeatureDecision(column=d.column, action=d.action, reason=d.reason)
        for d in final.report.decisions
    ]
    report = TrainReport(
        task=task,
        rows=prepared.rows,
        split=prepared.split_summary,
        primary_metric=primary,
        greater_is_better=greater,
        features_used=final.names,
        categorical_features=final.categorical,
        decisions=[*prepared.decisions, *decisions],
        imbalance=imbalance,
        params={k: v for k, v in sorted(params.items()) if k not in ("num_threads", "verbosity")},
        cv_best_iterations=outcome.best_iterations,
        final_rounds=final_rounds,
        curves=curves,
        learning_curve=curve,
        leaderboard=leaderboard(outcome.fold_metrics, primary, greater_is_better=greater)
        if outcome.fold_metrics.get("lightgbm")
        else [],
        cv=summarise(outcome.fold_metrics.get("lightgbm", [])),
        test={k: finite(v) if v is not None else None for k, v in test_metrics.items()},
        test_baselines={
            m: {k: finite(v) if v is not None else None for k, v in s.items()}
            for m, s in baselines_test.items()
        },
        threshold=choice,
        importance=importance(booster, final.names),
        tuning=tuning,
        warnings=[
            *prepared.warnings,
            *too_good(kind, outcome.fold_metrics, final.names, booster),
            *baseline_wins(outcome.fold_metrics, primary, greater_is_better=greater),
        ],
        notes=[
            *prepared.notes,
            f"final model: {final_rounds} rounds on all {len(y_train):,} training rows"
            + (" (lightgbm.dask, on the Dask cluster)" if options.distributed == "dask" else "")
            + (
                " (median of the CV folds' early-stopping rounds)"
                if outcome.best_iterations and early > 0
                else ""
            ),
        ],
    )
    return TrainResult(
        booster=booster,
        pipeline=final.pipeline,
        task=task,
        input_schema=schema,
        threshold=threshold,
        feature_names=final.names,
        holdout=test_rows,
        oof_predictions=oof,
        test_predictions=test_frame,
        set_aside=prepared.set_aside,
        features_report=final.report,
        report=report,
    )


def _fold_matrices(
    prepared: Prepared, featurizer: _Featurizer, options: TrainOptions
) -> list[FoldMatrices]:
    """Feature matrices per fold, each fitted on that fold's fitting rows only."""
    if options.folds < 2 and options.lightgbm.early_stopping_rounds == 0:
        return []
    out = []
    rows = prepared.train_rows.select(prepared.model_columns)
    for fit_pos, valid_pos in prepared.splits.folds:
        fit_rows, valid_rows = rows[fit_pos], rows[valid_pos]
        fitted = featurizer.fit(fit_rows)
        linear_fit = linear_valid = None
        if options.baselines:
            linear = featurizer.fit(fit_rows, "linear")
            linear_fit, linear_valid = linear.matrix, featurizer.transform(linear, valid_rows)
        out.append(
            FoldMatrices(
                fit=fit_pos,
                valid=valid_pos,
                x_fit=fitted.matrix,
                x_valid=featurizer.transform(fitted, valid_rows),
                names=fitted.names,
                categorical=fitted.categorical,
                linear_fit=linear_fit,
                linear_valid=linear_valid,
            )
        )
    return out
