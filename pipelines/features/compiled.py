"""`CompiledFeatures`: a fitted `FeaturePipeline`'s transform as one polars `select`.

`FeaturePipeline.transform` runs scikit-learn's `ColumnTransformer`: every block builds its
own small frames, validates them, converts to numpy and back, so a 1-row call costs ~40 ms
whatever the row count. This module reads the *fitted* pipeline (nothing new is saved: the
skops artifact stays the reference) and turns each block into polars expressions that give
the same values bit for bit:

- `AsFloat`, `AsCategory`: their own expressions.
- Category encoders (`OrdinalEncoder`, `OneHotEncoder`, `TargetEncoder`, `FrequencyEncoder`,
  and any single-column encoder with `categories_`): the fitted encoder is asked, once, for
  the output of every training category and of one unseen value; each output column becomes a
  `replace_strict` lookup with the unseen answer as its default. Encoders at transform time
  are lookups, so this is the encoder's own answer, not a re-implementation.
- skrub's `DatetimeEncoder` (circular): the same polars calls skrub makes (`dt.year()`,
  `dt.month()`, ...); the steps with arithmetic (`timestamp / 1000`, `np.sin(part / 12 * 2
  * pi)`) redo skrub's Series arithmetic in numpy on the whole column (see `_SeriesStep`).
- `SimpleImputer` (NaN as missing, with or without indicator) and `StandardScaler`: the
  fitted statistics as literals (`fill_nan`, `(x - mean) / scale`, dividing by a column:
  polars multiplies by the reciprocal of a scalar divisor).

A block holding anything else (`PowerTransformer`, a spline date encoder, a transformer this
module does not know) runs through its own fitted sklearn steps, on its column only; the
blocks it names are listed in `reference_blocks`. A frame whose dtypes differ from those the
pipeline was compiled for goes through `FeaturePipeline.transform` whole. The test
`tests/test_features_compiled.py` holds both paths equal on real datasets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted
from skrub import ApplyToCols, DatetimeEncoder

from pipelines.features.pipeline import FeaturePipeline
from pipelines.features.transformers import MISSING, AsCategory, AsFloat, FrequencyEncoder

__all__ = ["CompiledFeatures", "compile_features"]

_NAN = float("nan")


@dataclass(frozen=True)
class _SeriesStep:
    """A column computed as skrub computes it, in numpy on the batch's whole column.

    skrub runs `series / 12 * 2 * np.pi` on a polars Series, which polars evaluates as a
    multiplication by the reciprocal (1/12), then `np.sin` on the result; inside one polars
    select the same arithmetic can be simplified differently (a 1-row frame differed in the
    last bit). So these steps select the date part and redo skrub's arithmetic in numpy:
    `x * (1/12) * 2 * pi`, then the same numpy function on the same whole column.
    """

    name: str
    part_name: str
    part: pl.Expr
    finish: Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class _Block:
    """One ColumnTransformer block: its expressions, or the fitted steps to run instead."""

    column: str
    expressions: list[pl.Expr] | None
    reference: Any = None


class CompiledFeatures:
    """`pipeline.transform` as one polars `select`; build with `compile_features`.

    Parameters
    ----------
    pipeline
        A fitted `FeaturePipeline` (kept: blocks it cannot compile, and frames of other
        dtypes, go through it).
    dtypes
        The input dtypes the expressions were built for (the model's input schema).
    """

    def __init__(self, pipeline: FeaturePipeline, dtypes: Mapping[str, pl.DataType]) -> None:
        check_is_fitted(pipeline, "column_transformer_")
        self.pipeline = pipeline
        self.dtypes = {c: dtypes[c] for c in pipeline.input_columns_ if c in dtypes}
        self.names = list(pipeline.feature_names_out_)
        categorical = set(pipeline.categorical_features_)
        self._casts = [pl.Int32 if n in categorical else pl.Float64 for n in self.names]
        self._series_steps: list[_SeriesStep] = []
        self._blocks = _compile_blocks(pipeline, self._series_steps)
        parts = {step.part_name: step.part for step in self._series_steps}
        self._part_names = list(parts)
        self._parts = [part.alias(name) for name, part in parts.items()]
        self.reference_blocks = [b.column for b in self._blocks if b.expressions is None]
        outputs = [e for b in self._blocks if b.expressions is not None for e in b.expressions]
        self._select = (
            None
            if self.reference_blocks
            else [
                expr.alias(name).cast(cast)
                for expr, name, cast in zip(outputs, self.names, self._casts, strict=True)
            ]
        )

    def transform(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The same frame `pipeline.transform(frame)` gives (names, order, dtypes, values)."""
        if not self._fits(frame.schema):  # missing columns are named by the reference path
            return self.pipeline.transform(frame)
        inputs = frame
        if self.pipeline.crosses:
            inputs = self.pipeline.crosser_.transform(frame.select(self.pipeline.input_columns_))
        if self._series_steps:
            inputs = inputs.hstack(self._series_columns(inputs))
        if self._select is not None:
            return inputs.select(self._select)
        return self._transform_mixed(inputs)

    def _series_columns(self, inputs: pl.DataFrame) -> list[pl.Series]:
        """The date parts in one select, then skrub's arithmetic on each in numpy.

        The parts come out as one float64 matrix (ints and null -> NaN convert exactly as
        one column would), column-major, so each column is contiguous as skrub's is.
        """
        parts = inputs.select(self._parts).to_numpy(order="fortran").astype(np.float64)
        position = {name: i for i, name in enumerate(self._part_names)}
        values = np.empty((inputs.height, len(self._series_steps)), dtype=np.float64, order="F")
        for j, step in enumerate(self._series_steps):
            values[:, j] = step.finish(parts[:, position[step.part_name]])
        frame = pl.from_numpy(values, schema=[step.name for step in self._series_steps])
        return frame.get_columns()

    def _fits(self, schema: pl.Schema) -> bool:
        """Whether `schema` holds every input column with the dtype compiled for."""
        if len(self.dtypes) < len(self.pipeline.input_columns_):
            return False
        return all(schema.get(c) == dtype for c, dtype in self.dtypes.items())

    def _transform_mixed(self, inputs: pl.DataFrame) -> pl.DataFrame:
        """Compiled blocks in one select; the others through their own fitted steps."""
        compiled = [e for b in self._blocks if b.expressions is not None for e in b.expressions]
        fast = inputs.select(e.alias(f"__{i}") for i, e in enumerate(compiled))
        columns: list[pl.Series] = []
        taken = 0
        for block in self._blocks:
            if block.expressions is not None:
                width = len(block.expressions)
                columns.extend(fast.to_series(taken + i) for i in range(width))
                taken += width
            else:
                out = block.reference.transform(inputs.select(block.column))
                columns.extend(out.to_series(i) for i in range(out.width))
        return pl.DataFrame(
            [
                s.alias(name).cast(cast)
                for s, name, cast in zip(columns, self.names, self._casts, strict=True)
            ]
        )


def compile_features(
    pipeline: FeaturePipeline, dtypes: Mapping[str, pl.DataType]
) -> CompiledFeatures:
    """The fast transform of a fitted `pipeline` for inputs of `dtypes` (probes its encoders)."""
    return CompiledFeatures(pipeline, dtypes)


def _compile_blocks(pipeline: FeaturePipeline, series_steps: list[_SeriesStep]) -> list[_Block]:
    transformer = pipeline.column_transformer_
    blocks: list[_Block] = []
    for name, fitted, columns in transformer.transformers_:
        if name == "remainder" or fitted == "drop":
            continue
        column = columns[0]
        width = transformer.output_indices_[name].stop - transformer.output_indices_[name].start
        added: list[_SeriesStep] = []
        expressions = _compile_steps(fitted, column, added)
        if expressions is not None and len(expressions) != width:
            expressions = None
        if expressions is not None:
            series_steps.extend(added)
        blocks.append(_Block(column=column, expressions=expressions, reference=fitted))
    return blocks


def _compile_steps(
    fitted: Any, column: str, series_steps: list[_SeriesStep]
) -> list[pl.Expr] | None:
    """A block's steps as expressions over `pl.col(column)`; None when one step is unknown."""
    steps = [s for _, s in fitted.steps] if isinstance(fitted, Pipeline) else [fitted]
    current = [pl.col(column)]
    for step in steps:
        if type(step) is ApplyToCols:  # dates also add their sin/cos columns
            compiled = _dates(step, current, column, series_steps)
        else:
            compiler = _compiler(step)
            compiled = None if compiler is None else compiler(step, current, column)
        if compiled is None:
            return None
        current = compiled
    return current


Compiler = Callable[[Any, list[pl.Expr], str], list[pl.Expr] | None]


def _compiler(step: Any) -> Compiler | None:
    if type(step) is AsFloat:
        return _as_float
    if type(step) is AsCategory:
        return _as_category
    if type(step) is SimpleImputer:
        return _imputer
    if type(step) is StandardScaler:
        return _scaler
    if isinstance(step, FrequencyEncoder) or hasattr(step, "categories_"):
        return _lookup
    return None


def _as_float(_: Any, columns: list[pl.Expr], __: str) -> list[pl.Expr]:
    return [e.cast(pl.Float64, strict=False).fill_null(_NAN) for e in columns]


def _as_category(_: Any, columns: list[pl.Expr], __: str) -> list[pl.Expr]:
    return [e.cast(pl.String).fill_null(MISSING) for e in columns]


def _categories(encoder: Any, column: str) -> list[str] | None:
    if isinstance(encoder, FrequencyEncoder):
        return list(encoder.frequencies_.get(column, {}))
    categories = getattr(encoder, "categories_", None)
    if categories is None or len(categories) != 1:
        return None
    values = list(categories[0])
    return [str(v) for v in values] if all(isinstance(v, str) for v in values) else None


def _lookup(encoder: Any, columns: list[pl.Expr], column: str) -> list[pl.Expr] | None:
    """The encoder's own outputs for every training category and one unseen value, as lookups.

    At transform time these encoders map each value independently of the other rows, so a
    table of their answers is exact; the unseen value's answer is every lookup's default.
    """
    categories = _categories(encoder, column)
    if categories is None or len(columns) != 1 or not categories:
        return None
    unseen = "\x00unseen"
    while unseen in categories:
        unseen += "\x00"
    probe = pl.DataFrame({column: [*categories, unseen]}, schema={column: pl.String})
    answer = encoder.transform(probe)
    series = (
        [answer.to_series(i) for i in range(answer.width)]
        if isinstance(answer, pl.DataFrame)
        else [pl.Series(np.asarray(answer)[:, i]) for i in range(np.asarray(answer).shape[1])]
    )
    text = columns[0]
    return [
        text.replace_strict(
            categories,
            s.head(len(categories)),
            default=pl.lit(s[-1], dtype=s.dtype),
            return_dtype=s.dtype,
        )
        for s in series
    ]


def _dates(
    step: Any, columns: list[pl.Expr], column: str, series_steps: list[_SeriesStep]
) -> list[pl.Expr] | None:
    """Skrub's `DatetimeEncoder.transform`: the same polars calls, the same numpy calls."""
    encoder = getattr(step, "transformers_", {}).get(column, "absent")
    if encoder is None:
        return columns  # skrub passed the column through at fit
    if type(encoder) is not DatetimeEncoder or len(columns) != 1:
        return None
    periodic = getattr(encoder, "_periodic_encoders", {})
    if any(type(t).__name__ != "_CircularEncoder" for t in periodic.values()):
        return None
    date = columns[0]
    present = date.is_not_null()
    plain: list[pl.Expr] = []
    circular: list[pl.Expr] = []
    for feature in encoder.extracted_features_:
        name = f"__{column}_{feature}"
        if feature == "total_seconds":
            part = date.dt.timestamp(time_unit="ms")
            series_steps.append(_SeriesStep(name, f"{name}_part", part, _total_seconds))
            plain.append(pl.col(name).cast(pl.Float32))
        elif feature not in periodic:
            plain.append(_date_feature(date, feature).cast(pl.Float32))  # null stays null
        else:  # skrub fills nulls with 0, calls numpy, and nulls those rows afterwards
            part = _date_feature(date, feature).fill_null(0)
            period = periodic[feature].period
            for function in (np.sin, np.cos):
                step = _SeriesStep(
                    f"{name}_{function.__name__}", f"{name}_part", part, _circular(function, period)
                )
                series_steps.append(step)
                circular.append(pl.when(present).then(pl.col(step.name)).otherwise(None))
    return plain + circular


def _total_seconds(milliseconds: np.ndarray) -> np.ndarray:
    """skrub: `(timestamp_ms / 1000).cast(Float32)`; polars divides by 1000 as `* (1/1000)`."""
    return (milliseconds * (1 / 1000)).astype(np.float32).astype(np.float64)


def _circular(function: Any, period: int) -> Callable[[np.ndarray], np.ndarray]:
    def finish(part: np.ndarray) -> np.ndarray:
        # skrub's _CircularEncoder.transform: function(part / period * 2 * np.pi) on a Series
        return np.asarray(function(part * (1 / period) * 2 * np.pi))

    return finish


def _date_feature(date: pl.Expr, feature: str) -> pl.Expr:
    if feature == "day_of_year":
        return date.dt.ordinal_day()
    return getattr(date.dt, feature)()


def _imputer(step: Any, columns: list[pl.Expr], _: str) -> list[pl.Expr] | None:
    missing = step.missing_values
    if not (isinstance(missing, float) and np.isnan(missing)):
        return None
    statistics = [float(v) for v in step.statistics_]
    if len(statistics) != len(columns) or (
        not step.keep_empty_features and any(np.isnan(statistics))
    ):
        return None
    filled = [e.fill_null(_NAN).fill_nan(v) for e, v in zip(columns, statistics, strict=True)]
    indicator = getattr(step, "indicator_", None)
    if not step.add_indicator or indicator is None:
        return filled
    flags = [columns[int(i)].fill_null(_NAN).is_nan().cast(pl.Float64) for i in indicator.features_]
    return filled + flags


def _scaler(step: Any, columns: list[pl.Expr], _: str) -> list[pl.Expr] | None:
    out = [e.cast(pl.Float64) for e in columns]
    if step.with_mean:
        out = [e - float(m) for e, m in zip(out, step.mean_, strict=True)]
    if step.with_std:
        out = [e / _column_of(float(s)) for e, s in zip(out, step.scale_, strict=True)]
    return out


def _column_of(value: float) -> pl.Expr:
    """`value` in every row, as a column rather than a scalar.

    polars divides by a scalar as a multiplication by its reciprocal (x * (1/s) differs from
    numpy's x / s in the last bit for ~30% of values); column by column it divides exactly.
    """
    return pl.int_range(pl.len()) * 0.0 + value
