"""Small LightGBM models on real data, wrapped as `EvaluationSet`s for error-analysis tests."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import lightgbm as lgb
import numpy as np
import polars as pl

from pipelines.error_analysis import EvaluationSet, quality_flags, training_ranges
from pipelines.features import FeaturePipeline, features
from pipelines.ingest import IngestOptions, ingest
from pipelines.task import ResolvedTask, TaskSpec, resolve_task

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
COMPAS_FEATURES = (
    "age",
    "priors_count",
    "juv_fel_count",
    "juv_misd_count",
    "juv_other_count",
    "days_b_screening_arrest",
    "c_charge_degree",
    "sex",
    "race",
)
LENDING_FEATURES = (
    "loan_amount",
    "term",
    "annual_income",
    "debt_to_income",
    "emp_length",
    "homeownership",
    "total_credit_lines",
    "inquiries_last_12m",
    "months_since_last_delinq",
    "loan_purpose",
)
PARAMS = {"num_threads": 1, "verbose": -1, "num_leaves": 15, "seed": 0, "deterministic": True}


@cache
def ingested(name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(data with `_source_line`, cell_issues) of a shared data file."""
    result = ingest(SHARED / name, options=IngestOptions(add_line_numbers=True))
    return result.data, result.cell_issues


def _matrix(features: pl.DataFrame) -> tuple[np.ndarray, tuple[str, ...]]:
    """Numbers as they are; text as integer codes (sorted categories) for LightGBM."""
    columns = []
    for name, dtype in features.schema.items():
        series = features.get_column(name)
        if dtype.is_numeric():
            columns.append(series.cast(pl.Float64).to_numpy())
        else:
            codes = series.cast(pl.String).rank("dense").cast(pl.Float64)
            columns.append(codes.to_numpy())
    return np.column_stack(columns).astype(np.float64), tuple(features.columns)


def _split(n: int, seed: int = 0, test_share: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    cut = int(n * (1 - test_share))
    return np.sort(order[:cut]), np.sort(order[cut:])


def _oof(
    matrix: np.ndarray, y: np.ndarray, params: dict, rounds: int, folds: int = 3
) -> np.ndarray:
    fold = np.arange(len(y)) % folds
    out: np.ndarray | None = None
    for f in range(folds):
        booster = lgb.train(params, lgb.Dataset(matrix[fold != f], y[fold != f]), rounds)
        predicted = np.asarray(booster.predict(matrix[fold == f]))
        if out is None:
            out = np.zeros((len(y), *predicted.shape[1:]))
        out[fold == f] = predicted
    assert out is not None
    return out


@cache
def compas_evaluation(flip_labels: int = 0) -> tuple[EvaluationSet, pl.DataFrame]:
    """Binary model of `two_year_recid`; returns the evaluation set and its full test rows.

    `flip_labels` flips that many training labels (to plant label errors for cleanlab).
    """
    data, cell_issues = ingested("compas_two_years.csv")
    task = resolve_task(data, TaskSpec(target="two_year_recid"))
    features = data.select(COMPAS_FEATURES)
    matrix, names = _matrix(features)
    y = data.get_column("two_year_recid").to_numpy().astype(np.int64)
    train, test = _split(len(y))
    y_train = y[train].copy()
    if flip_labels:
        flipped = np.random.default_rng(1).choice(len(train), flip_labels, replace=False)
        y_train[flipped] = 1 - y_train[flipped]
    params = {**PARAMS, "objective": "binary"}
    booster = lgb.train(params, lgb.Dataset(matrix[train], y_train), 60)
    p = np.asarray(booster.predict(matrix[test]))
    oof = _oof(matrix[train], y_train, params, 60)
    lines = data.get_column("_source_line").to_numpy()
    test_features = features[test]
    evaluation = EvaluationSet(
        task=task,
        y_true=y[test],
        predicted=(p >= 0.5).astype(np.int64),
        probabilities=np.column_stack([1 - p, p]),
        features=test_features,
        transformed=matrix[test],
        transformed_names=names,
        booster=booster,
        oof_y_true=y_train,
        oof_probabilities=np.column_stack([1 - oof, oof]),
        oof_rows=train,
        oof_source_lines=lines[train],
        rows=test,
        source_lines=lines[test],
        quality_flags=quality_flags(
            test_features,
            source_lines=lines[test],
            cell_issue_lines=cell_issues.get_column("_source_line").to_list(),
            ranges=training_ranges(features[train]),
        ),
        threshold=0.5,
    )
    return evaluation, data[test]


@cache
def lending_evaluation() -> tuple[EvaluationSet, pl.DataFrame]:
    """Regression model of `interest_rate` on ten lending columns (no leaky grade columns)."""
    data, _ = ingested("lending_club_loans.csv")
    task = resolve_task(data, TaskSpec(target="interest_rate"))
    features = data.select(LENDING_FEATURES)
    matrix, names = _matrix(features)
    y = data.get_column("interest_rate").to_numpy().astype(np.float64)
    train, test = _split(len(y))
    booster = lgb.train(
        {**PARAMS, "objective": "regression"}, lgb.Dataset(matrix[train], y[train]), 80
    )
    predicted = np.asarray(booster.predict(matrix[test]))
    evaluation = EvaluationSet(
        task=task,
        y_true=y[test],
        predicted=predicted,
        features=features[test],
        transformed=matrix[test],
        transformed_names=names,
        booster=booster,
        rows=test,
        source_lines=data.get_column("_source_line").to_numpy()[test],
    )
    return evaluation, data[test]


@cache
def penguins_evaluation() -> EvaluationSet:
    """Multiclass model of penguin species on the four body measurements."""
    data, _ = ingested("penguins_raw.csv")
    task = resolve_task(data, TaskSpec(target="species"))
    features = data.select("culmen_length_mm", "culmen_depth_mm", "flipper_length_mm", "sex")
    matrix, names = _matrix(features)
    classes = task.classes
    y = np.array([classes.index(v) for v in data.get_column("species").to_list()])
    train, test = _split(len(y), test_share=0.4)
    params = {**PARAMS, "objective": "multiclass", "num_class": len(classes), "min_data_in_leaf": 5}
    booster = lgb.train(params, lgb.Dataset(matrix[train], y[train]), 30)
    proba = np.asarray(booster.predict(matrix[test]))
    oof = _oof(matrix[train], y[train], params, 30)
    return EvaluationSet(
        task=task,
        y_true=y[test],
        predicted=proba.argmax(axis=1),
        probabilities=proba,
        features=features[test],
        transformed=matrix[test],
        transformed_names=names,
        booster=booster,
        oof_y_true=y[train],
        oof_probabilities=oof,
        oof_rows=train,
        rows=test,
    )


@dataclass(frozen=True)
class SmallModel:
    """Shaped like train's `TrainedModel`: C's feature pipeline plus a LightGBM booster."""

    booster: lgb.Booster
    pipeline: FeaturePipeline
    task: ResolvedTask
    threshold: float | None
    feature_names: list[str]

    def matrix(self, frame: pl.DataFrame) -> pl.DataFrame:
        inputs = frame.drop(
            [c for c in ("_row", "_source_line", self.task.target) if c in frame.columns]
        )
        return self.pipeline.transform(inputs).select(self.feature_names)


@cache
def compas_model() -> tuple[SmallModel, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(model, train rows, test rows, out-of-fold frame) on compas, keyed by `_row`.

    The feature pipeline is C's `features()` (one-hot/native categories, dates), fitted on
    the training rows; the OOF frame has train's layout (`_row`, `y_true`, `proba_<class>`).
    """
    data, _ = ingested("compas_two_years.csv")
    columns = [*COMPAS_FEATURES, "c_charge_desc", "two_year_recid", "_source_line"]
    data = data.select(columns).with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))
    task = resolve_task(data, TaskSpec(target="two_year_recid"))
    train_rows = data.filter(pl.col("_row") % 4 != 0)
    test_rows = data.filter(pl.col("_row") % 4 == 0)
    fitted = features(train_rows.drop("_row", "_source_line"), task=task)
    names = list(fitted.data.columns)
    matrix = fitted.data.select(pl.all().cast(pl.Float64)).to_numpy()
    y = train_rows.get_column("two_year_recid").to_numpy()
    params = {**PARAMS, "objective": "binary"}
    booster = lgb.train(
        params,
        lgb.Dataset(
            matrix,
            y,
            feature_name=names,
            categorical_feature=list(fitted.pipeline.categorical_features_),
        ),
        60,
    )
    oof = _oof(matrix, y, params, 60)
    oof_frame = pl.DataFrame(
        {
            "_row": train_rows.get_column("_row"),
            "y_true": pl.Series(y).cast(pl.String),
            "prediction": pl.Series((oof >= 0.5).astype(int)).cast(pl.String),
            "proba_0": 1 - oof,
            "proba_1": oof,
        }
    )
    model = SmallModel(booster, fitted.pipeline, task, 0.5, names)
    return model, train_rows, test_rows, oof_frame
