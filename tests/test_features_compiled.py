"""The compiled transform equals `FeaturePipeline.transform` (the reference), bit for bit.

Real files (tests/data/real: compas, penguins, ames), both flavours, and options that make
the features stage produce every transformer kind it has: numeric, numeric_power, date_parts
(Date and Datetime), one_hot, native_categorical, target_encode (binary, multiclass,
continuous), frequency, and numeric and categorical crosses. Held-out rows are compared as
they are, with unseen categories, with nulls in every column, and after `conform` has coerced
(or quarantined) text with wrong types.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.columns import ColumnNames
from pipelines.features import FeaturePipeline, FeaturesOptions, features
from pipelines.features.compiled import CompiledFeatures, compile_features
from pipelines.predict.schema import ROW_KEY, InputSchema
from pipelines.task import TaskSpec, resolve_task

REAL = Path(__file__).resolve().parent / "data" / "real"


@dataclass(frozen=True)
class Fitted:
    pipeline: FeaturePipeline
    compiled: CompiledFeatures
    schema: InputSchema
    test: pl.DataFrame


def _fit(file: str, target: str, flavour: str, options: FeaturesOptions) -> Fitted:
    from pipelines.ingest import ingest

    result = ingest(REAL / file)
    names = ColumnNames.from_header_mapping(result.data.columns, result.report.header_mapping)
    spec = TaskSpec(target=target).resolved(names)
    frame = result.data.filter(pl.col(spec.target).is_not_null())
    frame = frame.drop([c for c in frame.columns if c.startswith("_")])
    task = resolve_task(frame, spec)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=0)
    cut = int(frame.height * 0.7)
    train, test = shuffled.head(cut), shuffled.tail(frame.height - cut)
    fitted = features(train, task=task, options=options, names=names, flavour=flavour)  # type: ignore[arg-type]
    schema = InputSchema.from_frame(train, exclude=(task.target,), names=names)
    dtypes = {c.name: c.polars_dtype for c in schema.columns}
    return Fitted(fitted.pipeline, compile_features(fitted.pipeline, dtypes), schema, test)


_COMPAS_CROSSES = (("age", "priors_count"), ("sex", "race"))
CASES = {
    "compas-lightgbm": (
        "compas_two_years.csv",
        "two_year_recid",
        "lightgbm",
        FeaturesOptions(crosses=_COMPAS_CROSSES),
    ),
    "compas-lightgbm-frequency": (
        "compas_two_years.csv",
        "two_year_recid",
        "lightgbm",
        FeaturesOptions(high_cardinality_encoding="frequency"),
    ),
    "compas-linear": (
        "compas_two_years.csv",
        "two_year_recid",
        "linear",
        FeaturesOptions(crosses=_COMPAS_CROSSES),
    ),
    "penguins-lightgbm": (
        "penguins_raw.csv",
        "Species",
        "lightgbm",
        FeaturesOptions(
            encodings={"island": "target_encode", "sex": "frequency", "stage": "one_hot"}
        ),
    ),
    "penguins-linear": (
        "penguins_raw.csv",
        "Species",
        "linear",
        FeaturesOptions(encodings={"island": "target_encode", "region": "native_categorical"}),
    ),
    "ames-lightgbm": ("ames_house_prices.csv", "SalePrice", "lightgbm", FeaturesOptions()),
    "ames-linear": (
        "ames_house_prices.csv",
        "SalePrice",
        "linear",
        FeaturesOptions(encodings={"neighborhood": "target_encode", "exterior1st": "frequency"}),
    ),
}


@functools.cache
def _fitted(case: str) -> Fitted:
    return _fit(*CASES[case])


@pytest.fixture(params=sorted(CASES), ids=sorted(CASES))
def fitted(request: pytest.FixtureRequest) -> Fitted:
    return _fitted(request.param)


def _assert_same(fitted: Fitted, rows: pl.DataFrame) -> None:
    """Same names, dtypes and values; floats equal to the bit (NaN where NaN)."""
    reference = fitted.pipeline.transform(rows)
    fast = fitted.compiled.transform(rows)
    assert_frame_equal(reference, fast, check_exact=True)
    for name in reference.columns:
        a, b = reference[name].to_numpy(), fast[name].to_numpy()
        if a.dtype.kind == "f":
            assert np.array_equal(np.isnan(a), np.isnan(b)), name
            a, b = a[~np.isnan(a)], b[~np.isnan(b)]
            assert np.array_equal(a.view(np.uint64), b.view(np.uint64)), name


def _unseen(frame: pl.DataFrame) -> pl.DataFrame:
    """Every third value of every text column replaced by a category training never saw."""
    position = pl.int_range(0, pl.len())
    return frame.with_columns(
        pl.when(position % 3 == 0)
        .then(pl.format("never seen {}", position))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )


def _nulls(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column null in every fourth row (shifted per column), and one all-null row."""
    position = pl.int_range(0, pl.len())
    holed = frame.with_columns(
        pl.when((position + i) % 4 == 0).then(None).otherwise(pl.col(c)).alias(c)
        for i, c in enumerate(frame.columns)
    )
    return pl.concat([holed, frame.head(1).clear(1)])


def test_held_out_rows(fitted: Fitted) -> None:
    _assert_same(fitted, fitted.test)


def test_unseen_categories(fitted: Fitted) -> None:
    _assert_same(fitted, _unseen(fitted.test))


def test_nulls_everywhere(fitted: Fitted) -> None:
    _assert_same(fitted, _nulls(fitted.test))


def test_one_row_at_a_time(fitted: Fitted) -> None:
    messy = _nulls(_unseen(fitted.test))
    for index in (0, 1, 2, 3, messy.height - 1):
        _assert_same(fitted, messy[index : index + 1])


def test_wrong_types_after_conform(fitted: Fitted) -> None:
    """Text with bad values: conform coerces or quarantines; what it keeps encodes the same."""
    text = fitted.test.cast(pl.String)
    position = pl.int_range(0, pl.len())
    broken = text.with_columns(  # row i has a bad value in column i, later rows are fine
        pl.when(position == i).then(pl.lit("not a value")).otherwise(pl.col(c)).alias(c)
        for i, c in enumerate(text.columns)
    )
    for rows in (text, broken):
        conformed = fitted.schema.conform(rows)
        assert conformed.data.height + conformed.quarantine.height == rows.height
        assert conformed.data.height > 0
        _assert_same(fitted, conformed.data.drop(ROW_KEY))


def test_other_dtypes_take_the_reference_path(fitted: Fitted) -> None:
    """A frame not in the schema's dtypes (numbers as text) is not compiled for: same answer."""
    numeric = next(c for c in fitted.pipeline.input_columns_ if fitted.test.schema[c].is_numeric())
    retyped = fitted.test.with_columns(pl.col(numeric).cast(pl.String))
    assert not fitted.compiled._fits(retyped.schema)
    _assert_same(fitted, retyped)


def test_missing_columns_get_the_reference_error(fitted: Fitted) -> None:
    first = fitted.pipeline.input_columns_[0]
    with pytest.raises(Exception, match="lacks 1 column") as reference:
        fitted.pipeline.transform(fitted.test.drop(first))
    with pytest.raises(type(reference.value), match="lacks 1 column"):
        fitted.compiled.transform(fitted.test.drop(first))


def test_only_the_power_transform_runs_through_sklearn(fitted: Fitted) -> None:
    """Every block compiles except Yeo-Johnson (its scipy call is not re-implemented)."""
    power = [c for c, action, _ in fitted.pipeline.decisions_ if action == "numeric_power"]
    assert sorted(fitted.compiled.reference_blocks) == sorted(power)


def test_every_transformer_kind_is_covered() -> None:
    """The cases above reach every action and both crosses: a new action needs a case."""
    from pipelines.features.pipeline import FEATURE_ACTIONS

    seen: set[str] = set()
    linear_seen: set[str] = set()
    for case, (_, _, flavour, _) in CASES.items():
        actions = {a for _, a, _ in _fitted(case).pipeline.decisions_}
        seen |= actions
        if flavour == "linear":
            linear_seen |= actions
    assert seen >= FEATURE_ACTIONS
    assert {"numeric", "numeric_power", "date_parts", "one_hot", "target_encode"} <= linear_seen
