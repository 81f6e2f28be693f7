"""Fitting the feature `ColumnTransformer` without paying sklearn's per-value Python loops.

sklearn's `OrdinalEncoder` / `OneHotEncoder` with `min_frequency` count categories of text
columns with a Python `Counter` over every training row (an `is_scalar_nan` call per value):
on 270k rows that is ~0.3 s per column, most of the feature fit. What such an encoder learns
depends only on each category's count *capped at* `min_frequency`: a category seen fewer
times is rare, any other is frequent. So the whole transformer is first fitted on a small set
of rows that keeps every rare category's rows and `min_frequency` rows of every other one
(found with one polars group-by per column). The encoders learn exactly the state they would
learn on all rows; every other block (numbers, dates, target and frequency encodings, whose
state depends on all rows) is then refitted in place on all rows with its own public
`fit_transform`. Nothing private of sklearn is set: the fitted objects are sklearn's own,
fitted by sklearn's own code.

When a refitted block changes its output width (a date column whose few sampled rows were
all at midnight), the small fit is discarded and the transformer is fitted the usual way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from sklearn.compose import ColumnTransformer

from pipelines.features.transformers import MISSING

__all__ = ["capped_rows", "fit_column_transformer"]

_SPREAD_ROWS = 1_000  # evenly spaced rows added so every block has data of every kind
_ROWS_PER_CLASS = 50  # per target class, so the target encoder's stratified folds can split
_MOST_SHARE = 0.5  # above this share of rows, the small fit would not save anything


def capped_rows(frame: pl.DataFrame, caps: dict[str, int]) -> np.ndarray:
    """Row positions: per column, all rows of each rare value and `cap` rows of the others.

    A value is rare when seen fewer than `cap` times; values are spelled as `AsCategory`
    spells them (nulls as `(missing)`). Collects one small group-by per column; returns
    sorted unique positions.
    """
    parts = [np.zeros(0, dtype=np.int64)]
    indexed = frame.lazy().with_row_index("_position")
    for column, cap in caps.items():
        value = pl.col(column).cast(pl.String).fill_null(MISSING)
        picked = (
            indexed.group_by(value.alias("_value"))
            .agg(pl.col("_position").head(cap))
            .explode("_position")
            .select("_position")
            .collect()
        )
        parts.append(picked.get_column("_position").to_numpy().astype(np.int64))
    return np.unique(np.concatenate(parts))


def _support_rows(height: int, target: np.ndarray | None) -> np.ndarray:
    """Evenly spaced rows, plus the first rows of each target class (when there are classes)."""
    step = max(1, height // _SPREAD_ROWS)
    parts = [np.arange(0, height, step, dtype=np.int64)]
    if target is not None and target.dtype.kind in "OUS":
        labels = pl.Series("label", target.astype(str))
        firsts = (
            pl.DataFrame({"label": labels})
            .with_row_index("_position")
            .group_by("label")
            .agg(pl.col("_position").head(_ROWS_PER_CLASS))
            .explode("_position")
        )
        parts.append(firsts.get_column("_position").to_numpy().astype(np.int64))
    return np.concatenate(parts)


def fit_column_transformer(
    transformer: ColumnTransformer,
    inputs: pl.DataFrame,
    target: np.ndarray | None,
    *,
    capped: dict[str, tuple[str, int]],
) -> pl.DataFrame:
    """`transformer.fit_transform(inputs, target)`, with the same fitted state and output.

    `capped` maps a block name to (its one input column, the count cap its state depends on).
    Fits in place and returns the horizontally stacked outputs (`f0__name`, ... columns).
    """
    if not capped or inputs.height < 2:
        return transformer.fit_transform(inputs, target)
    rows = np.unique(
        np.concatenate(
            [
                capped_rows(inputs, {column: cap for column, cap in capped.values()}),
                _support_rows(inputs.height, target),
            ]
        )
    )
    if rows.size > _MOST_SHARE * inputs.height:
        return transformer.fit_transform(inputs, target)
    transformer.fit(inputs[rows], None if target is None else target[rows])
    outputs: list[tuple[slice, pl.DataFrame]] = []
    for name, fitted, columns in transformer.transformers_:
        if name == "remainder" or fitted == "drop":
            continue
        block = inputs.select(columns)
        part: Any = (
            fitted.transform(block) if name in capped else fitted.fit_transform(block, target)
        )
        indices = transformer.output_indices_[name]
        if not isinstance(part, pl.DataFrame) or part.width != indices.stop - indices.start:
            return transformer.fit_transform(inputs, target)  # the small fit shaped it otherwise
        outputs.append((indices, part))
    names = [str(n) for n in transformer.get_feature_names_out()]  # as refitted
    if sum(part.width for _, part in outputs) != len(names):
        return transformer.fit_transform(inputs, target)
    renamed = [
        part.rename(dict(zip(part.columns, names[indices], strict=True)))
        for indices, part in outputs
    ]
    return pl.concat(renamed, how="horizontal") if renamed else pl.DataFrame()
