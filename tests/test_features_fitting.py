"""The small-rows fit of the feature ColumnTransformer learns exactly what the usual fit learns.

Each case fits the same `FeaturePipeline` twice, once through `fit_column_transformer` and
once with sklearn's own `ColumnTransformer.fit_transform`, and compares every fitted attribute
(arrays by value and dtype), the training features and the features of held-out rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sklearn.compose import ColumnTransformer

import pipelines.features.pipeline as feature_pipeline
from pipelines.columns import ColumnNames
from pipelines.features import FeaturesOptions, FeaturesResult, features
from pipelines.features.fitting import capped_rows
from pipelines.task import TaskSpec, resolve_task

REAL = Path(__file__).resolve().parent / "data" / "real"


def _differences(a: Any, b: Any, path: str = "pipeline", depth: int = 0) -> list[str]:
    """Every place the two fitted objects differ, as readable paths."""
    if depth > 14:
        return []
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} vs {type(b).__name__}"]
    if isinstance(a, np.ndarray):
        same = a.dtype == b.dtype and a.shape == b.shape
        if same and a.dtype.kind == "O":
            same = list(a) == list(b)
        elif same:
            same = np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        return [] if same else [f"{path}: {a[:5]} vs {b[:5]}"]
    if isinstance(a, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a for d in _differences(a[k], b[k], f"{path}.{k}", depth + 1)]
    if isinstance(a, list | tuple):
        if len(a) != len(b):
            return [f"{path}: {len(a)} vs {len(b)} items"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _differences(x, y, f"{path}[{i}]", depth + 1)
        ]
    if hasattr(a, "__dict__") and not isinstance(a, type):
        return _differences(vars(a), vars(b), path, depth + 1)
    if isinstance(a, float) and np.isnan(a) and np.isnan(b):
        return []
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


def _both_ways(
    monkeypatch: pytest.MonkeyPatch, train: pl.DataFrame, **kwargs: Any
) -> tuple[FeaturesResult, FeaturesResult, list[int]]:
    """Fit both ways; also return the row counts the ColumnTransformer was fitted on."""
    heights: list[int] = []
    original = ColumnTransformer.fit_transform

    def spied(self: ColumnTransformer, X: pl.DataFrame, y: Any = None, **params: Any) -> Any:
        heights.append(X.height)
        return original(self, X, y, **params)

    with monkeypatch.context() as patch:
        patch.setattr(ColumnTransformer, "fit_transform", spied)
        fast = features(train, **kwargs)

    def usual(
        transformer: ColumnTransformer, inputs: pl.DataFrame, target: Any, **_: Any
    ) -> pl.DataFrame:
        return transformer.fit_transform(inputs, target)

    with monkeypatch.context() as patch:
        patch.setattr(feature_pipeline, "fit_column_transformer", usual)
        slow = features(train, **kwargs)
    return fast, slow, heights


def _check_same(fast: FeaturesResult, slow: FeaturesResult, test: pl.DataFrame) -> None:
    assert _differences(fast.pipeline, slow.pipeline) == []
    assert_frame_equal(fast.data, slow.data)
    assert_frame_equal(fast.pipeline.transform(test), slow.pipeline.transform(test))


def test_capped_rows_keep_every_rare_row_and_enough_of_the_rest() -> None:
    frame = pl.DataFrame({"c": ["a"] * 30 + ["b"] * 3 + [None] * 12 + ["c"]})
    rows = capped_rows(frame, {"c": 10})
    picked = frame[rows].get_column("c").fill_null("(missing)").value_counts()
    counts = dict(picked.iter_rows())
    assert counts == {"a": 10, "b": 3, "(missing)": 10, "c": 1}


def _synthetic(rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    letters = np.array([f"k{i}" for i in range(40)])
    weights = np.r_[np.full(10, 8.0), np.full(30, 0.05)]  # ten common, thirty rare categories
    codes = rng.choice(40, size=rows, p=weights / weights.sum())
    start = dt.datetime(2024, 1, 1)
    return pl.DataFrame(
        {
            "kind": [None if i % 97 == 0 else letters[c] for i, c in enumerate(codes)],
            "port": rng.choice(["north", "south", "east"], size=rows),
            "many": [f"t{v}" for v in rng.integers(0, 400, rows)],
            "size": rng.normal(10, 3, rows),
            "when": [start + dt.timedelta(hours=int(h)) for h in rng.integers(0, 9000, rows)],
            "y": rng.choice(["no", "yes", "maybe"], size=rows),
        }
    )


@pytest.mark.parametrize("flavour", ["lightgbm", "linear"])
def test_synthetic_rare_categories_fit_the_same(
    monkeypatch: pytest.MonkeyPatch, flavour: str
) -> None:
    frame = _synthetic(6_000, seed=1)
    task = resolve_task(frame, TaskSpec(target="y"))
    options = FeaturesOptions(max_native_categories=45, max_one_hot=45)
    fast, slow, heights = _both_ways(
        monkeypatch, frame, task=task, options=options, flavour=flavour
    )
    assert heights and max(heights) < frame.height / 2  # the small fit was used, and only it
    _check_same(fast, slow, _synthetic(500, seed=2))
    assert {d.column: d.action for d in fast.report.decisions}["kind"] in (
        "native_categorical",
        "one_hot",
    )


def _real(name: str, target: str) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    from pipelines.ingest import ingest

    result = ingest(REAL / name)
    names = ColumnNames.from_header_mapping(result.data.columns, result.report.header_mapping)
    spec = TaskSpec(target=target).resolved(names)
    frame = result.data.filter(pl.col(spec.target).is_not_null()).sample(
        fraction=1.0, shuffle=True, seed=0
    )
    cut = int(frame.height * 0.8)
    kwargs = {"task": resolve_task(frame, spec), "names": names}
    return frame.head(cut), frame.tail(frame.height - cut), kwargs


@pytest.mark.parametrize(
    ("name", "target", "flavour"),
    [
        ("compas_two_years.csv", "two_year_recid", "lightgbm"),
        ("compas_two_years.csv", "two_year_recid", "linear"),
        ("ames_house_prices.csv", "SalePrice", "lightgbm"),
        ("ames_house_prices.csv", "SalePrice", "linear"),
    ],
    ids=["compas-lightgbm", "compas-linear", "ames-lightgbm", "ames-linear"],
)
def test_real_files_fit_the_same(
    monkeypatch: pytest.MonkeyPatch, name: str, target: str, flavour: str
) -> None:
    train, test, kwargs = _real(name, target)
    fast, slow, heights = _both_ways(monkeypatch, train, flavour=flavour, **kwargs)
    _check_same(fast, slow, test)
    if name.startswith("compas"):
        assert max(heights) < train.height  # 5.7k rows: the small fit applies, no fallback
