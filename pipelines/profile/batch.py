"""Pass one: summarise one batch of rows in a single `select`, and merge batch summaries.

Everything here is exact per batch and merges exactly, except what `sketches` documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import polars as pl

from pipelines.profile.options import ProfileOptions
from pipelines.profile.sketches import DistinctSketch, Moments, QuantileSketch, TopCounts

__all__ = ["BatchSummary", "ColumnSummary", "StorageKind", "storage_kind", "summarise_batch"]

StorageKind = Literal["numeric", "datetime", "boolean", "string", "other"]

_PATTERN_CAPACITY = 1000


def storage_kind(dtype: pl.DataType) -> StorageKind:
    """Map a polars dtype to how it is summarised."""
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_numeric() or isinstance(dtype, pl.Duration):
        return "numeric"
    if isinstance(dtype, pl.Date | pl.Datetime):
        return "datetime"
    if isinstance(dtype, pl.String | pl.Categorical | pl.Enum):
        return "string"
    return "other"


@dataclass(frozen=True)
class ColumnSummary:
    """Mergeable summary of one column over the rows seen so far."""

    name: str
    dtype: str
    kind: StorageKind
    rows: int = 0
    nulls: int = 0
    moments: Moments = field(default_factory=Moments)
    quantiles: QuantileSketch = field(default_factory=QuantileSketch)
    distinct: DistinctSketch = field(default_factory=DistinctSketch)
    top: TopCounts = field(default_factory=TopCounts)
    lengths: Moments = field(default_factory=Moments)
    numeric_text: int = 0
    first: float | str | None = None
    last: float | str | None = None
    increasing: bool = True
    decreasing: bool = True

    def merge(self, other: ColumnSummary) -> ColumnSummary:
        """Summary of this batch followed by `other` (order matters only for monotonicity)."""
        increasing = self.increasing and other.increasing
        decreasing = self.decreasing and other.decreasing
        if self.last is not None and other.first is not None:
            increasing = increasing and _le(self.last, other.first)
            decreasing = decreasing and _le(other.first, self.last)
        return replace(
            self,
            rows=self.rows + other.rows,
            nulls=self.nulls + other.nulls,
            moments=self.moments.merge(other.moments),
            quantiles=self.quantiles.merge(other.quantiles),
            distinct=self.distinct.merge(other.distinct),
            top=self.top.merge(other.top),
            lengths=self.lengths.merge(other.lengths),
            numeric_text=self.numeric_text + other.numeric_text,
            first=self.first if self.first is not None else other.first,
            last=other.last if other.last is not None else self.last,
            increasing=increasing,
            decreasing=decreasing,
        )


def _le(a: float | str, b: float | str) -> bool:
    return a <= b if type(a) is type(b) else str(a) <= str(b)  # type: ignore[operator]


@dataclass(frozen=True)
class BatchSummary:
    """Columns plus row-level facts: row hashes (duplicates) and missingness patterns."""

    rows: int
    columns: dict[str, ColumnSummary]
    row_hashes: pl.Series
    patterns: dict[tuple[str, ...], int]
    nulls_per_row: dict[int, int]
    memory_bytes: int
    batches: int = 1

    def merge(self, other: BatchSummary) -> BatchSummary:
        """Union of two batch summaries; row hashes stay exact (8 bytes per distinct row)."""
        patterns = dict(self.patterns)
        for key, value in other.patterns.items():
            patterns[key] = patterns.get(key, 0) + value
        if len(patterns) > _PATTERN_CAPACITY:
            patterns = dict(sorted(patterns.items(), key=lambda kv: -kv[1])[:_PATTERN_CAPACITY])
        per_row = dict(self.nulls_per_row)
        for count, rows in other.nulls_per_row.items():
            per_row[count] = per_row.get(count, 0) + rows
        return BatchSummary(
            rows=self.rows + other.rows,
            columns={k: v.merge(other.columns[k]) for k, v in self.columns.items()},
            row_hashes=pl.concat([self.row_hashes, other.row_hashes]).unique(),
            patterns=patterns,
            nulls_per_row=per_row,
            memory_bytes=self.memory_bytes + other.memory_bytes,
            batches=self.batches + other.batches,
        )

    @property
    def duplicate_rows(self) -> int:
        """Rows that repeat an earlier row exactly (hash-based)."""
        return self.rows - self.row_hashes.len()


def numeric_expr(name: str, kind: StorageKind) -> pl.Expr:
    """Float view of a numeric, datetime (epoch ms) or boolean column; NaN becomes null."""
    col = pl.col(name)
    if kind == "datetime":
        return col.cast(pl.Datetime("ms")).dt.epoch("ms").cast(pl.Float64)
    if kind == "boolean":
        return col.cast(pl.Float64)
    return col.cast(pl.Float64).fill_nan(None)


def _column_exprs(i: int, name: str, kind: StorageKind, opts: ProfileOptions) -> list[pl.Expr]:
    col = pl.col(name)
    p = f"c{i}_"
    exprs = [
        col.null_count().alias(p + "nulls"),
        col.n_unique().alias(p + "n_unique"),
        col.drop_nulls().hash(opts.seed).unique().bottom_k(opts.distinct_sketch_size)
        .implode().alias(p + "kmv"),
    ]
    if kind == "other":
        return exprs
    top_source = col.cast(pl.String)
    exprs.append(
        top_source.drop_nulls().value_counts(sort=True, name="n").head(opts.tracked_values)
        .implode().alias(p + "top")
    )
    if kind == "string":
        text = col.cast(pl.String)
        lengths = text.str.len_chars().cast(pl.Float64)
        exprs += _moment_exprs(lengths, p + "len_", with_counts=False)
        exprs.append(
            text.str.strip_chars().cast(pl.Float64, strict=False).is_not_null().sum()
            .alias(p + "numeric_text")
        )
        exprs += _order_exprs(text, p)
        return exprs
    x = numeric_expr(name, kind)
    exprs += _moment_exprs(x, p, with_counts=True)
    sorted_x = x.drop_nulls().sort()
    positions = (
        pl.int_range(0, opts.quantile_points, dtype=pl.Int64)
        * (sorted_x.len().cast(pl.Int64) - 1)
        // (opts.quantile_points - 1)
    )
    exprs.append(
        sorted_x.gather(positions.clip(lower_bound=0), null_on_oob=True).drop_nulls()
        .implode().alias(p + "grid")
    )
    exprs += _order_exprs(x, p)
    return exprs


def _moment_exprs(x: pl.Expr, p: str, *, with_counts: bool) -> list[pl.Expr]:
    centred = x - x.mean()
    exprs = [
        x.count().alias(p + "count"),
        x.mean().alias(p + "mean"),
        centred.pow(2).sum().alias(p + "m2"),
        centred.pow(3).sum().alias(p + "m3"),
        centred.pow(4).sum().alias(p + "m4"),
        x.min().alias(p + "min"),
        x.max().alias(p + "max"),
        x.sum().alias(p + "sum"),
    ]
    if with_counts:
        exprs += [(x == 0).sum().alias(p + "zeros"), (x < 0).sum().alias(p + "negatives")]
    return exprs


def _order_exprs(x: pl.Expr, p: str) -> list[pl.Expr]:
    present = x.drop_nulls()
    steps = present
    return [
        present.first().alias(p + "first"),
        present.last().alias(p + "last"),
        (steps >= steps.shift(1)).drop_nulls().all().alias(p + "increasing"),
        (steps <= steps.shift(1)).drop_nulls().all().alias(p + "decreasing"),
    ]


def _moments(row: dict[str, Any], p: str) -> Moments:
    count = int(row.get(p + "count") or 0)
    if count == 0:
        return Moments()
    return Moments(
        count=count,
        mean=float(row[p + "mean"]),
        m2=float(row[p + "m2"] or 0.0),
        m3=float(row[p + "m3"] or 0.0),
        m4=float(row[p + "m4"] or 0.0),
        minimum=float(row[p + "min"]),
        maximum=float(row[p + "max"]),
        total=float(row[p + "sum"] or 0.0),
        zeros=int(row.get(p + "zeros") or 0),
        negatives=int(row.get(p + "negatives") or 0),
    )


def _column_summary(
    i: int, name: str, dtype: pl.DataType, row: dict[str, Any], rows: int, opts: ProfileOptions
) -> ColumnSummary:
    kind = storage_kind(dtype)
    p = f"c{i}_"
    nulls = int(row[p + "nulls"])
    hashes = tuple(sorted(int(h) for h in row[p + "kmv"]))
    n_unique = int(row[p + "n_unique"]) - (1 if nulls else 0)
    summary = ColumnSummary(
        name=name,
        dtype=str(dtype),
        kind=kind,
        rows=rows,
        nulls=nulls,
        distinct=DistinctSketch(hashes, opts.distinct_sketch_size, n_unique),
    )
    if kind == "other":
        return summary
    top = {str(item[name] if name in item else item[next(iter(item))]): int(item["n"])
           for item in row[p + "top"]}
    complete = len(top) >= n_unique
    error = 0 if complete else min(top.values(), default=0)
    summary = replace(summary, top=TopCounts(top, opts.tracked_values, complete, error))
    order = {
        "first": row[p + "first"],
        "last": row[p + "last"],
        "increasing": bool(row[p + "increasing"]) if row[p + "increasing"] is not None else True,
        "decreasing": bool(row[p + "decreasing"]) if row[p + "decreasing"] is not None else True,
    }
    if kind == "string":
        return replace(
            summary,
            lengths=_moments(row, p + "len_"),
            numeric_text=int(row[p + "numeric_text"] or 0),
            **order,
        )
    grid = tuple(float(v) for v in row[p + "grid"])
    moments = _moments(row, p)
    return replace(
        summary,
        moments=moments,
        quantiles=QuantileSketch(grid, moments.count),
        **order,
    )


def summarise_batch(batch: pl.DataFrame, opts: ProfileOptions) -> BatchSummary:
    """Summarise one in-memory batch with one `select` plus two small row-level passes.

    Collects: the batch is already a DataFrame; the result holds only summaries.
    """
    schema = batch.schema
    exprs: list[pl.Expr] = []
    for i, (name, dtype) in enumerate(schema.items()):
        exprs += _column_exprs(i, name, storage_kind(dtype), opts)
    row = batch.select(exprs).row(0, named=True) if exprs else {}
    rows = batch.height
    columns = {
        name: _column_summary(i, name, dtype, row, rows, opts)
        for i, (name, dtype) in enumerate(schema.items())
    }
    with_nulls = [name for name, c in columns.items() if c.nulls]
    patterns: dict[tuple[str, ...], int] = {}
    per_row: dict[int, int] = {0: rows} if rows else {}
    if with_nulls:
        grouped = batch.select(
            [pl.col(c).is_null().alias(f"n{i}") for i, c in enumerate(with_nulls)]
        ).group_by(pl.all()).len()
        for record in grouped.iter_rows():
            key = tuple(c for c, flag in zip(with_nulls, record[:-1], strict=True) if flag)
            patterns[key] = patterns.get(key, 0) + int(record[-1])
        per_row = {}
        for key, value in patterns.items():
            per_row[len(key)] = per_row.get(len(key), 0) + value
        if len(patterns) > _PATTERN_CAPACITY:
            patterns = dict(sorted(patterns.items(), key=lambda kv: -kv[1])[:_PATTERN_CAPACITY])
    hashes = batch.hash_rows(seed=opts.seed).unique() if rows else pl.Series([], dtype=pl.UInt64)
    return BatchSummary(
        rows=rows,
        columns=columns,
        row_hashes=hashes,
        patterns=patterns,
        nulls_per_row=per_row,
        memory_bytes=int(batch.estimated_size()),
    )
