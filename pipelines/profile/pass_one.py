"""Pass one: summarise one batch in two `select`s and turn the rows into `BatchSummary`.

Stage A (every column, one `select`): nulls, moments (native var/skew/kurtosis, converted to
central sums), min/max/sum/zeros/negatives, value counts (up to `tracked_values` + 1), string
lengths, numeric-looking text, first/last and monotonicity. When the value counts are
complete, the distinct count, the distinct sketch and the quantile grid are read off them.
Stage B (one `select`, only for columns with more distinct values than that): exact
`n_unique` or the hash sketch, and a sort for the quantile grid.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import polars as pl

from pipelines.profile.batch import (
    PATTERN_CAPACITY,
    BatchSummary,
    ColumnSummary,
    numeric_expr,
    storage_kind,
)
from pipelines.profile.options import ProfileOptions
from pipelines.profile.sketches import DistinctSketch, Moments, QuantileSketch, TopCounts

__all__ = ["summarise_batch"]

_COUNT = "__thresher_count__"


def _stage_a(i: int, name: str, dtype: pl.DataType, opts: ProfileOptions) -> list[pl.Expr]:
    kind = storage_kind(dtype)
    col = pl.col(name)
    p = f"c{i}_"
    exprs = [col.null_count().alias(p + "nulls")]
    if kind == "other":
        return exprs
    exprs.append(
        col.drop_nulls().value_counts(sort=True, name=_COUNT).head(opts.tracked_values + 1)
        .implode().alias(p + "top")
    )
    if kind == "string":
        text = col.cast(pl.String)
        lengths = text.str.len_chars()
        exprs += [
            lengths.count().alias(p + "len_count"), lengths.mean().alias(p + "len_mean"),
            lengths.var(ddof=0).alias(p + "len_var"), lengths.min().alias(p + "len_min"),
            lengths.max().alias(p + "len_max"), lengths.sum().alias(p + "len_sum"),
            text.str.strip_chars().cast(pl.Float64, strict=False).is_not_null().sum()
            .alias(p + "numeric_text"),
        ]
        return exprs + _order_exprs(text, p)
    x = numeric_expr(name, kind, dtype)
    exprs += [
        x.count().alias(p + "count"), x.mean().alias(p + "mean"),
        x.var(ddof=0).alias(p + "var"), x.skew().alias(p + "skew"),
        x.kurtosis().alias(p + "kurt"), x.min().alias(p + "min"), x.max().alias(p + "max"),
        x.sum().alias(p + "sum"), (x == 0).sum().alias(p + "zeros"),
        (x < 0).sum().alias(p + "negatives"),
    ]
    return exprs + _order_exprs(x, p)


def _order_exprs(x: pl.Expr, p: str) -> list[pl.Expr]:
    present = x.drop_nulls()
    return [
        present.first().alias(p + "first"),
        present.last().alias(p + "last"),
        (present >= present.shift(1)).drop_nulls().all().alias(p + "increasing"),
        (present <= present.shift(1)).drop_nulls().all().alias(p + "decreasing"),
    ]


def _hashable(name: str, dtype: pl.DataType) -> pl.Expr:
    """The column as hashed by the distinct sketch (categoricals as text, so codes never leak)."""
    col = pl.col(name)
    return col.cast(pl.String) if isinstance(dtype, pl.Categorical | pl.Enum) else col


def _stage_b(
    i: int, name: str, dtype: pl.DataType, opts: ProfileOptions, *, sketch: bool
) -> list[pl.Expr]:
    p = f"c{i}_"
    exprs = []
    if sketch:
        exprs.append(
            _hashable(name, dtype).drop_nulls().hash(opts.seed).unique()
            .bottom_k(opts.distinct_sketch_size).implode().alias(p + "kmv")
        )
    else:
        exprs.append(pl.col(name).drop_nulls().n_unique().alias(p + "n_unique"))
    kind = storage_kind(dtype)
    if kind in ("numeric", "datetime", "boolean"):
        ordered = numeric_expr(name, kind, dtype).drop_nulls().sort()
        positions = (
            pl.int_range(0, opts.quantile_points, dtype=pl.Int64)
            * (ordered.len().cast(pl.Int64) - 1) // (opts.quantile_points - 1)
        )
        exprs.append(
            ordered.gather(positions.clip(lower_bound=0), null_on_oob=True).drop_nulls()
            .implode().alias(p + "grid")
        )
    return exprs


def _as_text(value: object) -> str:
    """Text form of a counted value, the same in every batch."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _moments(row: dict[str, Any], p: str, count: int) -> Moments:
    if count == 0:
        return Moments()
    var = float(row[p + "var"] or 0.0)
    skew, kurt = row.get(p + "skew"), row.get(p + "kurt")
    m2 = var * count
    spread = var > 0 and skew is not None and np.isfinite(skew)
    return Moments(
        count=count,
        mean=float(row[p + "mean"]),
        m2=m2,
        m3=float(skew) * count * var**1.5 if spread else 0.0,  # type: ignore[arg-type]
        m4=(float(kurt) + 3.0) * count * var**2 if spread and kurt is not None else 0.0,
        minimum=float(row[p + "min"]),
        maximum=float(row[p + "max"]),
        total=float(row[p + "sum"] or 0.0),
        zeros=int(row.get(p + "zeros") or 0),
        negatives=int(row.get(p + "negatives") or 0),
    )


def _grid_from_counts(values: np.ndarray, counts: np.ndarray, points: int) -> tuple[float, ...]:
    """Exact lower quantiles on the grid, from distinct values and their counts."""
    order = np.argsort(values, kind="stable")
    values, counts = values[order], counts[order]
    cumulative = np.cumsum(counts)
    n = int(cumulative[-1]) if len(cumulative) else 0
    if n == 0:
        return ()
    positions = np.arange(points, dtype=np.int64) * (n - 1) // (points - 1)
    return tuple(float(v) for v in values[np.searchsorted(cumulative, positions, side="right")])


def _distinct_from_counts(
    values: pl.DataFrame, name: str, dtype: pl.DataType, opts: ProfileOptions, *, sketch: bool
) -> DistinctSketch:
    if not sketch:
        return DistinctSketch((), opts.distinct_sketch_size, values.height)
    hashes = values.select(_hashable(name, dtype).hash(opts.seed)).to_series()
    kept = tuple(sorted(int(h) for h in hashes.to_list()))[: opts.distinct_sketch_size]
    exact = len(kept) if len(kept) < opts.distinct_sketch_size else None
    return DistinctSketch(kept, opts.distinct_sketch_size, exact)


def _distinct_from_stage_b(row: dict[str, Any], p: str, opts: ProfileOptions) -> DistinctSketch:
    if p + "kmv" in row:
        hashes = tuple(sorted(int(h) for h in row[p + "kmv"]))
        exact = len(hashes) if len(hashes) < opts.distinct_sketch_size else None
        return DistinctSketch(hashes, opts.distinct_sketch_size, exact)
    return DistinctSketch((), opts.distinct_sketch_size, int(row[p + "n_unique"]))


def _column(
    i: int,
    name: str,
    dtype: pl.DataType,
    stage_a: pl.DataFrame,
    row: dict[str, Any],
    opts: ProfileOptions,
    *,
    rows: int,
    sketch: bool,
) -> ColumnSummary:
    kind = storage_kind(dtype)
    p = f"c{i}_"
    summary = ColumnSummary(
        name=name, dtype=str(dtype), kind=kind, rows=rows, nulls=int(row[p + "nulls"]),
    )
    if kind == "other":
        return replace(summary, distinct=_distinct_from_stage_b(row, p, opts))
    counted = stage_a.get_column(p + "top")[0]
    values = counted.struct.unnest() if len(counted) else pl.DataFrame(
        {name: pl.Series([], dtype=dtype), _COUNT: pl.Series([], dtype=pl.UInt32)}
    )
    complete = values.height <= opts.tracked_values
    kept = values.head(opts.tracked_values)
    top = {_as_text(v): int(n) for v, n in kept.iter_rows()}
    error = 0 if complete else int(kept.get_column(_COUNT).min() or 0)  # type: ignore[arg-type]
    distinct = (
        _distinct_from_counts(values, name, dtype, opts, sketch=sketch)
        if complete else _distinct_from_stage_b(row, p, opts)
    )
    order = {
        "first": row[p + "first"],
        "last": row[p + "last"],
        "increasing": row[p + "increasing"] is not False,
        "decreasing": row[p + "decreasing"] is not False,
    }
    summary = replace(
        summary, distinct=distinct,
        top=TopCounts(top, opts.tracked_values, complete, error), **order,
    )
    if kind == "string":
        return replace(
            summary,
            lengths=_moments(row, p + "len_", int(row[p + "len_count"] or 0)),
            numeric_text=int(row[p + "numeric_text"] or 0),
        )
    moments = _moments(row, p, int(row[p + "count"] or 0))
    if complete:
        numbers = values.select(numeric_expr(name, kind, dtype)).to_series().to_numpy()
        counts = values.get_column(_COUNT).to_numpy()
        present = ~np.isnan(numbers.astype(float))
        grid = _grid_from_counts(numbers[present], counts[present], opts.quantile_points)
        exact_counts = {
            float(v): int(n) for v, n in zip(numbers[present], counts[present], strict=True)
        }
    else:
        grid = tuple(float(v) for v in row[p + "grid"])
        exact_counts = None
    return replace(
        summary, moments=moments, quantiles=QuantileSketch(grid, moments.count),
        numbers=exact_counts,
    )


def _patterns(
    batch: pl.DataFrame, with_nulls: list[str]
) -> tuple[dict[tuple[str, ...], int], dict[int, int]]:
    patterns: dict[tuple[str, ...], int] = {}
    if not with_nulls:
        return patterns, ({0: batch.height} if batch.height else {})
    grouped = batch.select(
        [pl.col(c).is_null().alias(f"n{i}") for i, c in enumerate(with_nulls)]
    ).group_by(pl.all()).len()
    for record in grouped.iter_rows():
        key = tuple(c for c, flag in zip(with_nulls, record[:-1], strict=True) if flag)
        patterns[key] = patterns.get(key, 0) + int(record[-1])
    per_row: dict[int, int] = {}
    for key, value in patterns.items():
        per_row[len(key)] = per_row.get(len(key), 0) + value
    if len(patterns) > PATTERN_CAPACITY:
        patterns = dict(sorted(patterns.items(), key=lambda kv: -kv[1])[:PATTERN_CAPACITY])
    return patterns, per_row


def summarise_batch(
    batch: pl.DataFrame, opts: ProfileOptions, *, sketch: bool = True
) -> BatchSummary:
    """Summarise one in-memory batch (two `select`s plus the row-level facts).

    With `sketch=False` (a frame known to be the only batch) distinct counts are exact and no
    distinct sketch is kept: such a summary must not be merged with others.
    Collects: the batch is already a DataFrame; the result holds only summaries.
    """
    schema = batch.schema
    exprs = [e for i, (n, t) in enumerate(schema.items()) for e in _stage_a(i, n, t, opts)]
    stage_a = batch.select(exprs) if exprs else pl.DataFrame()
    scalars = [c for c in stage_a.columns if not c.endswith("_top")]
    row: dict[str, Any] = stage_a.select(scalars).row(0, named=True) if scalars else {}
    later = []
    for i, (name, dtype) in enumerate(schema.items()):
        p = f"c{i}_"
        if p + "top" not in stage_a.columns or len(stage_a.get_column(p + "top")[0]) > (
            opts.tracked_values
        ):
            later += _stage_b(i, name, dtype, opts, sketch=sketch)
    if later:
        row.update(batch.select(later).row(0, named=True))
    columns = {
        name: _column(i, name, dtype, stage_a, row, opts, rows=batch.height, sketch=sketch)
        for i, (name, dtype) in enumerate(schema.items())
    }
    patterns, per_row = _patterns(batch, [n for n, c in columns.items() if c.nulls])
    hashes = (batch.hash_rows(seed=opts.seed).unique(),) if batch.height else ()
    return BatchSummary(
        rows=batch.height,
        columns=columns,
        row_hashes=hashes,
        patterns=patterns,
        nulls_per_row=per_row,
        memory_bytes=int(batch.estimated_size()),
    )
