"""A column that repeats itself, repaired through its distinct values weighted by their counts.

Every count the repair steps take (trimmed values, null tokens, candidate failures, repairs)
is a sum over rows of a function of the value, so the sum over the distinct values weighted by
how often each occurs is the same count. The distinct values become an Enum, whose codes say
which value each row holds (one hash pass); the typed values go back to the rows by position,
and the cells that failed are found again in the rows by their raw text. Real columns repeat
(codes, categories, dates, amounts), and then this costs a fraction of the row-wise passes.
`_source_*` names cannot clash with a repaired column: those are never repaired.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.ingest.chunks import aligned_like
from pipelines.ingest.models import CELL_ISSUES_SCHEMA, IngestOptions
from pipelines.ingest.repair import (
    LINE,
    SOURCE_FILE,
    ColumnPlan,
    Evidence,
    apply_plans,
    clean_frame,
    measure,
    parse_candidates,
)

__all__ = ["WEIGHT", "DistinctValues", "repeats"]

WEIGHT = "_source_weight"
_RAW = "_source_raw"
_MIN_ROWS = 20_000
_PROBE_ROWS = 50_000
_MAX_DISTINCT_SHARE = 0.2


def repeats(frame: pl.DataFrame, column: str) -> bool:
    """Whether a large column holds at most a fifth as many distinct values as rows (probed).

    Only speed depends on this guess: both ways give the same result.
    """
    if frame.height < _MIN_ROWS or frame.get_column(column).is_null().all():
        return False
    sample = frame.get_column(column).head(_PROBE_ROWS)
    return bool(sample.n_unique() <= _MAX_DISTINCT_SHARE * sample.len())


@dataclass(frozen=True)
class DistinctValues:
    """One column of `located` as a table of its distinct values, and each row's value."""

    column: str
    table: pl.DataFrame
    codes: pl.Series

    @classmethod
    def of(cls, located: pl.DataFrame, column: str) -> DistinctValues:
        """The distinct non-null values of `located[column]` with their row counts."""
        raw = located.get_column(column)
        distinct = raw.unique().drop_nulls()
        codes = raw.cast(pl.Enum(distinct)).to_physical()  # row -> its value's row in `table`
        weights = np.bincount(codes.drop_nulls().to_numpy(), minlength=distinct.len())
        table = pl.DataFrame(  # null rows count towards nothing, so they are left out
            [
                distinct,
                pl.Series(WEIGHT, weights, dtype=pl.Int64),
                pl.Series(_RAW, distinct),
                pl.repeat("", distinct.len(), dtype=pl.String, eager=True).alias(SOURCE_FILE),
                pl.repeat(0, distinct.len(), dtype=pl.Int64, eager=True).alias(LINE),
            ]
        )
        return cls(column, table, codes)

    def parsed(
        self, candidates: list[str], options: IngestOptions
    ) -> tuple[pl.DataFrame, dict[str, dict[str, int]]]:
        """The cleaned table with each candidate parsed, and the weighted cleaning counts."""
        cleaned, counts = clean_frame(self.table, [self.column], options, weight=WEIGHT)
        mine = {self.column: candidates}
        return parse_candidates(cleaned, mine, pivot=options.two_digit_year_pivot), counts

    def evidence(self, candidates: list[str], options: IngestOptions) -> Evidence:
        """The column's evidence, as `measure` counts it over the rows."""
        parsed, _ = self.parsed(candidates, options)
        return measure(parsed, {self.column: candidates}, weight=WEIGHT)

    def apply(
        self,
        located: pl.DataFrame,
        plan: ColumnPlan,
        options: IngestOptions,
        prepared: tuple[pl.DataFrame, dict[str, dict[str, int]]] | None = None,
    ) -> tuple[pl.Series, pl.DataFrame, dict[str, int]]:
        """(typed column for every row, its cell issues, its repair counts) under `plan`.

        `prepared` is `parsed(...)` when the caller has it already.
        """
        parsed, clean_counts = prepared or (None, None)
        typed, failed, counts = apply_plans(
            self.table, {self.column: plan}, options, parsed, clean_counts, weight=WEIGHT
        )
        raw = located.get_column(self.column)
        values = aligned_like(typed.get_column(self.column).gather(self.codes), raw)
        mine = counts.get(self.column, {})
        if not failed.height:
            return values, pl.DataFrame(schema=CELL_ISSUES_SCHEMA), mine
        issues = (
            located.filter(pl.col(self.column).is_in(failed.get_column("value").implode()))
            .select(
                pl.col(SOURCE_FILE).alias("_source_file"),
                pl.col(LINE).cast(pl.Int64).alias("_source_line"),
                pl.lit(self.column).alias("column"),
                pl.col(self.column).alias("value"),
                pl.lit(failed.get_column("reason").first()).alias("reason"),
            )
            .cast(CELL_ISSUES_SCHEMA)
        )
        mine["value_nulled"] = issues.height
        return values, issues, mine
