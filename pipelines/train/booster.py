"""LightGBM fits with early stopping and per-iteration curves, behind a dtype guard.

LightGBM aborts the whole process on polars String/Categorical/Enum columns, so frames reach
it only through `numeric_matrix`, which refuses anything that is not a number or a boolean.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import polars as pl

from pipelines.train.errors import TrainError
from pipelines.train.options import LightGBMOptions

__all__ = [
    "BoosterFit",
    "FinalFit",
    "booster_feature_names",
    "booster_params",
    "check_final_fit",
    "fit_booster",
    "float32_thresholds",
    "numeric_matrix",
    "predict_booster",
]

_EVAL_METRIC = {"binary": "binary_logloss", "multiclass": "multi_logloss", "regression": "rmse"}


def booster_feature_names(names: Sequence[str]) -> list[str]:
    """Names LightGBM accepts (letters, digits, `_`), unique; position i stays feature i."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        clean = re.sub(r"[^0-9A-Za-z_]", "_", name) or "feature"
        candidate, n = clean, 2
        while candidate in seen:
            candidate, n = f"{clean}_{n}", n + 1
        seen.add(candidate)
        out.append(candidate)
    return out


def numeric_matrix(frame: pl.DataFrame) -> np.ndarray:
    """The frame as a float64 matrix of float32-exact values (nulls -> NaN); numbers only.

    Raises
    ------
    TrainError
        A column is text, categorical, a date or nested: the feature pipeline should have
        encoded it.
    """
    bad = [
        f"`{name}` ({dtype})"
        for name, dtype in frame.schema.items()
        if not (dtype.is_numeric() or dtype == pl.Boolean)
    ]
    if bad:
        msg = (
            f"the model matrix must be all numbers, but {', '.join(bad)} arrived: LightGBM would "
            "abort on them; encode them in the feature pipeline first"
        )
        raise TrainError(msg)
    if frame.width == 0:
        msg = "no feature columns are left after the feature pipeline: keep some columns"
        raise TrainError(msg)
    # float32 values (held in float64): the ONNX twin takes float32 input, and values that
    # differ only beyond float32 precision (-0.5000000000000004 vs -0.4999999999999998 from a
    # cyclical encoding) would otherwise be split apart by LightGBM and merged by ONNX.
    as_float32 = frame.select(pl.all().cast(pl.Float32)).to_numpy(order="c")
    return as_float32.astype(np.float64)


def booster_params(
    kind: str,
    classes: int,
    options: LightGBMOptions,
    *,
    seed: int,
    num_threads: int,
) -> dict[str, float | int | str | bool]:
    """LightGBM parameters for the task: objective, metric, seeds, threads, determinism."""
    params: dict[str, float | int | str | bool] = {
        "objective": {"binary": "binary", "multiclass": "multiclass"}.get(kind, "regression"),
        "metric": _EVAL_METRIC[kind],
        "learning_rate": options.learning_rate,
        "num_leaves": options.num_leaves,
        "min_data_in_leaf": options.min_data_in_leaf,
        "feature_fraction": options.feature_fraction,
        "bagging_fraction": options.bagging_fraction,
        "bagging_freq": options.bagging_freq,
        "lambda_l2": options.lambda_l2,
        "seed": seed,
        "num_threads": num_threads,
        "deterministic": True,
        "force_col_wise": True,
        "verbosity": -1,
    }
    if kind == "multiclass":
        params["num_class"] = classes
    return params


@dataclass(frozen=True)
class BoosterFit:
    """A fitted booster, the round it stopped at, and its per-iteration metric."""

    booster: lgb.Booster
    best_iteration: int
    metric: str
    train_curve: list[float]
    valid_curve: list[float]


def fit_booster(
    x: np.ndarray,
    y: np.ndarray,
    *,
    params: dict[str, float | int | str | bool],
    rounds: int,
    feature_names: Sequence[str],
    categorical: Sequence[str] = (),
    weights: np.ndarray | None = None,
    valid: tuple[np.ndarray, np.ndarray] | None = None,
    early_stopping_rounds: int = 0,
) -> BoosterFit:
    """Train up to `rounds` rounds; with `valid`, record its curve and stop early on it."""
    given = list(feature_names)
    names = booster_feature_names(given)
    cats = [names[given.index(c)] for c in categorical if c in given]
    dataset_params = {"verbosity": -1, "max_bin": 255}
    train_set = lgb.Dataset(
        x,
        label=y,
        weight=weights,
        feature_name=names,
        categorical_feature=cats or "auto",
        free_raw_data=True,
        params=dataset_params,
    )
    sets, set_names = [train_set], ["train"]
    if valid is not None:
        sets.append(
            lgb.Dataset(valid[0], label=valid[1], reference=train_set, params=dataset_params)
        )
        set_names.append("valid")
    history: dict[str, dict[str, list[float]]] = {}
    callbacks: list[object] = [lgb.record_evaluation(history)]
    if valid is not None and early_stopping_rounds > 0:
        callbacks.append(
            lgb.early_stopping(early_stopping_rounds, first_metric_only=True, verbose=False)
        )
    booster = lgb.train(
        dict(params),
        train_set,
        num_boost_round=rounds,
        valid_sets=sets,
        valid_names=set_names,
        callbacks=callbacks,  # type: ignore[arg-type]
    )
    metric = str(params["metric"])
    train_curve = [float(v) for v in history.get("train", {}).get(metric, [])]
    valid_curve = [float(v) for v in history.get("valid", {}).get(metric, [])]
    best = booster.best_iteration if valid is not None and booster.best_iteration > 0 else 0
    if best <= 0:
        best = booster.current_iteration()
    return BoosterFit(booster, int(best), metric, train_curve, valid_curve)


FinalFit = Callable[..., BoosterFit]
"""Fits the final model as `fit_booster(x, y, params=, rounds=, feature_names=, categorical=,
weights=)` does; injected for `distributed: dask` (lightgbm.dask on the caller's cluster)."""


def check_final_fit(distributed: str, final_fit: FinalFit | None) -> None:
    """Refuse `distributed: dask` when no distributed fit was injected (no cluster to use)."""
    if distributed == "dask" and final_fit is None:
        msg = (
            "train.options.distributed is `dask` but no Dask cluster was given: run the flow "
            "with `thresher run CONFIG --runner dask`, or set distributed: none"
        )
        raise TrainError(msg)


def predict_booster(
    booster: lgb.Booster,
    x: np.ndarray,
    kind: str,
    *,
    rounds: int | None = None,
    num_threads: int | None = None,
) -> np.ndarray:
    """Class probabilities (n, K) for classifiers (binary as two columns); values for regression.

    `num_threads=None` keeps LightGBM's default (every core). A loaded model predicts with
    `num_threads=1`: on a busy machine OpenMP's other thread turned a 1-row call from 0.02 ms
    into 10-14 ms, and a 288k-row call was no faster with two.
    """
    extra: dict[str, int] = {} if num_threads is None else {"num_threads": num_threads}
    raw = np.asarray(booster.predict(x, num_iteration=rounds, **extra))  # type: ignore[arg-type]
    if kind == "binary":
        return np.column_stack([1.0 - raw, raw])
    return raw


_CATEGORICAL_MASK = 1


def _floor32(value: float) -> float:
    """The largest float32 that is <= `value` (as a Python float)."""
    rounded = np.float32(value)
    if float(rounded) > value:
        rounded = np.nextafter(rounded, np.float32(-np.inf))
    return float(rounded)


def float32_thresholds(booster: lgb.Booster) -> lgb.Booster:
    """The same booster with every numeric split threshold moved down to a float32 value.

    For float32-exact inputs (what `numeric_matrix` gives) `x <= t` and `x <= floor32(t)` agree,
    so LightGBM's predictions are unchanged, and the ONNX twin, whose thresholds are float32,
    now takes exactly the same branches (otherwise a threshold within half a float32 step of
    a data value can round onto it and flip that row's branch).
    """
    lines = booster.model_to_string().split("\n")
    threshold_at: int | None = None
    decision: list[int] | None = None
    for index, line in enumerate(lines):
        if line.startswith("Tree="):
            threshold_at, decision = None, None
        elif line.startswith("threshold="):
            threshold_at = index
        elif line.startswith("decision_type="):
            decision = [int(v) for v in line.removeprefix("decision_type=").split()]
        if threshold_at is not None and decision is not None:
            values = lines[threshold_at].removeprefix("threshold=").split()
            moved = [
                value if kind & _CATEGORICAL_MASK else repr(_floor32(float(value)))
                for value, kind in zip(values, decision, strict=True)
            ]
            lines[threshold_at] = "threshold=" + " ".join(moved)
            threshold_at, decision = None, None
    # `tree_sizes=` lists each tree's byte length, which the new thresholds change: without
    # it LightGBM reads the trees one after another.
    kept = [line for line in lines if not line.startswith("tree_sizes=")]
    return lgb.Booster(model_str="\n".join(kept))
