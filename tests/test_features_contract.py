"""One contract for every transformer of ours: the same checks, run on each."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from pipelines.features import FeatureInputError, FeaturePipeline
from pipelines.features.transformers import AsCategory, AsFloat, CrossFeatures, FrequencyEncoder

TRAIN = pl.DataFrame(
    {
        "n": [1.5, None, 3.0, 4.0, 2.5],
        "c": ["a", "b", None, "a", "b"],
        "d": [
            dt.date(2024, 1, 1),
            dt.date(2024, 3, 9),
            None,
            dt.date(2024, 6, 30),
            dt.date(2025, 2, 1),
        ],
        "y": [0, 1, 0, 1, 1],
    }
)
UNSEEN = pl.DataFrame(
    {
        "n": [9.0, None, -1.0],
        "c": ["zzz", None, "a"],
        "d": [dt.date(2030, 5, 5), None, dt.date(2024, 1, 1)],
        "y": [1, 0, 1],
    }
)

PLAN_LGB = (("n", "numeric", ""), ("c", "native_categorical", ""), ("d", "date_parts", ""))
PLAN_LIN = (("n", "numeric_power", ""), ("c", "one_hot", ""), ("d", "date_parts", ""))
PLAN_TE = (("c", "target_encode", ""), ("c_x_n", "frequency", ""), ("y", "target", ""))

CASES: list[tuple[str, Callable[[], Any], list[str]]] = [
    ("AsFloat", AsFloat, ["n", "y"]),
    ("AsCategory", AsCategory, ["c", "n"]),
    ("FrequencyEncoder", FrequencyEncoder, ["c"]),
    ("CrossFeatures", lambda: CrossFeatures(pairs=(("c", "n"), ("n", "y"))), ["c", "n", "y"]),
    (
        "FeaturePipeline-lightgbm",
        lambda: FeaturePipeline(plan=PLAN_LGB, target="y", task_kind="binary", rare_min_count=1),
        ["n", "c", "d", "y"],
    ),
    (
        "FeaturePipeline-linear",
        lambda: FeaturePipeline(
            plan=PLAN_LIN, target="y", task_kind="binary", flavour="linear", rare_min_count=1
        ),
        ["n", "c", "d", "y"],
    ),
    (
        "FeaturePipeline-target-encoding",
        lambda: FeaturePipeline(
            plan=PLAN_TE,
            target="y",
            task_kind="binary",
            crosses=(("c", "n"),),
            target_encoding_folds=2,
        ),
        ["n", "c", "y"],
    ),
]
_ACTION_COLUMN = {
    "numeric": "n",
    "numeric_power": "n",
    "one_hot": "c",
    "native_categorical": "c",
    "target_encode": "c",
    "frequency": "c",
    "date_parts": "d",
}
for _flavour in ("lightgbm", "linear"):
    for _action, _column in _ACTION_COLUMN.items():
        CASES.append(
            (
                f"FeaturePipeline-{_flavour}-{_action}",
                lambda a=_action, c=_column, f=_flavour: FeaturePipeline(
                    plan=((c, a, ""),),
                    target="y",
                    task_kind="binary",
                    flavour=f,
                    rare_min_count=2,
                    target_encoding_folds=2,
                ),
                ["n", "c", "d", "y"],
            )
        )
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize(("name", "make", "columns"), CASES, ids=IDS)
def test_clone_keeps_parameters_and_drops_state(name: str, make: Any, columns: list[str]) -> None:
    estimator = make().fit(TRAIN.select(columns))
    copy = clone(estimator)
    assert copy.get_params() == estimator.get_params()
    with pytest.raises(NotFittedError):
        copy.transform(TRAIN.select(columns))


@pytest.mark.parametrize(("name", "make", "columns"), CASES, ids=IDS)
def test_fit_transform_polars_in_polars_out(name: str, make: Any, columns: list[str]) -> None:
    frame = TRAIN.select(columns)
    estimator = make()
    estimator.set_output(transform="polars")
    assert estimator.fit(frame) is estimator
    out = estimator.transform(frame)
    assert isinstance(out, pl.DataFrame)
    assert out.height == frame.height
    assert list(estimator.get_feature_names_out()) == out.columns
    assert_frame_equal(make().fit_transform(frame).select(out.columns).head(0), out.head(0))


@pytest.mark.parametrize(("name", "make", "columns"), CASES, ids=IDS)
def test_never_mutates_its_input(name: str, make: Any, columns: list[str]) -> None:
    frame = TRAIN.select(columns)
    before = frame.clone()
    estimator = make().fit(frame)
    estimator.transform(frame)
    estimator.transform(UNSEEN.select(columns))
    assert_frame_equal(frame, before)


@pytest.mark.parametrize(("name", "make", "columns"), CASES, ids=IDS)
def test_unseen_values_transform_without_error(name: str, make: Any, columns: list[str]) -> None:
    estimator = make().fit(TRAIN.select(columns))
    out = estimator.transform(UNSEEN.select(columns))
    assert out.height == UNSEEN.height
    assert out.columns == list(estimator.get_feature_names_out())


@pytest.mark.parametrize(("name", "make", "columns"), CASES, ids=IDS)
def test_transform_does_not_learn(name: str, make: Any, columns: list[str]) -> None:
    estimator = make().fit(TRAIN.select(columns))
    first = estimator.transform(TRAIN.select(columns))
    estimator.transform(UNSEEN.select(columns))
    assert_frame_equal(estimator.transform(TRAIN.select(columns)), first)


@pytest.mark.parametrize(("name", "make", "columns"), CASES, ids=IDS)
def test_refuses_non_polars_and_missing_columns(name: str, make: Any, columns: list[str]) -> None:
    estimator = make().fit(TRAIN.select(columns))
    with pytest.raises(FeatureInputError, match="polars"):
        estimator.transform(TRAIN.select(columns).to_numpy())
    needed = str(estimator.feature_names_in_[0])
    with pytest.raises(FeatureInputError, match=f"`{needed}`"):
        estimator.transform(TRAIN.select(columns).drop(needed))


@pytest.mark.parametrize(("name", "make", "columns"), CASES, ids=IDS)
def test_output_is_numeric_for_pipelines(name: str, make: Any, columns: list[str]) -> None:
    out = make().fit(TRAIN.select(columns)).transform(UNSEEN.select(columns))
    if name.startswith("FeaturePipeline"):
        assert all(dtype in (pl.Float64, pl.Int32) for dtype in out.dtypes)
        if name.endswith("linear"):
            assert not np.isnan(out.to_numpy()).any()
