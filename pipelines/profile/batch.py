"""Mergeable summaries of one batch of rows: per column and per row (duplicates, patterns).

Everything here merges exactly, except what `sketches` documents. `pass_one` builds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import polars as pl

from pipelines.profile.sketches import (
    DistinctSketch,
    Moments,
    QuantileSketch,
    TopCounts,
    grid_from_counts,
)

__all__ = [
    "PATTERN_CAPACITY",
    "BatchSummary",
    "ColumnSummary",
    "StorageKind",
    "numeric_expr",
    "storage_kind",
]

StorageKind = Literal["numeric", "datetime", "boolean", "string", "other"]

PATTERN_CAPACITY = 1000


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
    numbers: dict[float, int] | None = None
    """Every distinct value (float view) with its count, while there are few enough."""
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
        numbers = _add_numbers(self.numbers, other.numbers, self.top.capacity)
        return replace(
            self,
            rows=self.rows + other.rows,
            nulls=self.nulls + other.nulls,
            moments=self.moments.merge(other.moments),
            quantiles=_merged_quantiles(self.quantiles, other.quantiles, numbers),
            distinct=self.distinct.merge(other.distinct),
            top=self.top.merge(other.top),
            lengths=self.lengths.merge(other.lengths),
            numeric_text=self.numeric_text + other.numeric_text,
            numbers=numbers,
            first=self.first if self.first is not None else other.first,
            last=other.last if other.last is not None else self.last,
            increasing=increasing,
            decreasing=decreasing,
        )


def _merged_quantiles(
    a: QuantileSketch, b: QuantileSketch, numbers: dict[float, int] | None
) -> QuantileSketch:
    """Exact from the merged value counts while they are complete, else the sketch merge."""
    points = max(a.points, b.points)
    if numbers is None or not numbers or points < 2:
        return a.merge(b)
    values = np.fromiter(numbers.keys(), dtype=np.float64, count=len(numbers))
    counts = np.fromiter(numbers.values(), dtype=np.int64, count=len(numbers))
    return QuantileSketch(grid_from_counts(values, counts, points), a.count + b.count)


def _add_numbers(
    a: dict[float, int] | None, b: dict[float, int] | None, capacity: int
) -> dict[float, int] | None:
    """Exact sum of two complete value counts; None once too many distinct values exist."""
    if a is None or b is None:
        return None
    merged = dict(a)
    for value, count in b.items():
        merged[value] = merged.get(value, 0) + count
    return merged if len(merged) <= capacity else None


def _le(a: float | str, b: float | str) -> bool:
    return a <= b if type(a) is type(b) else str(a) <= str(b)  # type: ignore[operator]


@dataclass(frozen=True)
class BatchSummary:
    """Columns plus row-level facts: row hashes (duplicates) and missingness patterns."""

    rows: int
    columns: dict[str, ColumnSummary]
    row_hashes: tuple[pl.Series, ...]
    patterns: dict[tuple[str, ...], int]
    nulls_per_row: dict[int, int]
    memory_bytes: int
    batches: int = 1

    def merge(self, other: BatchSummary) -> BatchSummary:
        """Union of two batch summaries; row hashes stay exact (8 bytes per row kept)."""
        patterns = dict(self.patterns)
        for key, value in other.patterns.items():
            patterns[key] = patterns.get(key, 0) + value
        if len(patterns) > PATTERN_CAPACITY:
            patterns = dict(sorted(patterns.items(), key=lambda kv: -kv[1])[:PATTERN_CAPACITY])
        per_row = dict(self.nulls_per_row)
        for count, rows in other.nulls_per_row.items():
            per_row[count] = per_row.get(count, 0) + rows
        return BatchSummary(
            rows=self.rows + other.rows,
            columns={k: v.merge(other.columns[k]) for k, v in self.columns.items()},
            row_hashes=self.row_hashes + other.row_hashes,
            patterns=patterns,
            nulls_per_row=per_row,
            memory_bytes=self.memory_bytes + other.memory_bytes,
            batches=self.batches + other.batches,
        )

    @property
    def duplicate_rows(self) -> int:
        """Rows that repeat an earlier row exactly (hash-based, deduplicated once here)."""
        if not self.row_hashes:
            return 0
        return self.rows - pl.concat(self.row_hashes).n_unique()


def numeric_expr(name: str, kind: StorageKind, dtype: pl.DataType | None = None) -> pl.Expr:
    """Float view of a numeric, datetime (epoch ms) or boolean column; NaN becomes null."""
    col = pl.col(name)
    if kind == "datetime":
        return col.cast(pl.Datetime("ms")).dt.epoch("ms").cast(pl.Float64)
    if kind == "boolean" or (dtype is not None and not dtype.is_float()):
        return col.cast(pl.Float64)  # integers and durations hold no NaN
    return col.cast(pl.Float64).fill_nan(None)
