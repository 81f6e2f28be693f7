"""In-memory repair column by column, so each column's text is freed once it is typed.

`ingest` holds the whole file as String columns; repairing every column at once adds a cleaned
copy and every candidate column on top of that (peak ~6x the file at 3M rows). Here each column
goes through clean -> candidates -> measure -> decide -> apply on its own, and its typed result
replaces its text in the frame before the next columns start: memory stays near the text frame
itself. Two columns are in flight at a time (polars releases the GIL), so both cores work.
The evidence is still the whole column, so the plans are those of the all-at-once steps.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.ingest.chunks import aligned_like
from pipelines.ingest.models import CELL_ISSUES_SCHEMA, IngestOptions
from pipelines.ingest.repair import (
    LINE,
    SOURCE_FILE,
    ColumnPlan,
    apply_plans,
    clean_frame,
    decide,
    measure,
    parse_candidates,
    proposal_sample,
    propose_from_sample,
)

__all__ = ["repair_by_column"]

_IN_FLIGHT = min(2, os.cpu_count() or 1)
_MIN_ROWS_FOR_DISTINCT = 20_000
_DISTINCT_PROBE_ROWS = 50_000
_MAX_DISTINCT_SHARE = 0.2


@dataclass(frozen=True)
class _Repaired:
    column: pl.Series
    plan: ColumnPlan
    issues: pl.DataFrame
    counts: dict[str, int]


def repair_by_column(
    frame: pl.DataFrame, columns: list[str], options: IngestOptions
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, ColumnPlan], dict[str, dict[str, int]]]:
    """(typed frame, cell issues, plans, repair counts) for the String `columns` of `frame`.

    `frame` must carry `_source_file` and `_source_line`. Collects: everything is eager.
    """
    sample, _ = clean_frame(proposal_sample(frame), columns, options)
    proposals = propose_from_sample(sample, columns, options)
    plans: dict[str, ColumnPlan] = {}
    counts: dict[str, dict[str, int]] = {}
    issues: list[pl.DataFrame] = []

    with ThreadPoolExecutor(max_workers=_IN_FLIGHT, thread_name_prefix="ingest-repair") as pool:
        # each task holds only its own column (a zero-copy select), never the whole frame
        futures = [
            pool.submit(
                _repair_one, frame.select(SOURCE_FILE, LINE, column), column, proposals, options
            )
            for column in columns
        ]
        for future in futures:  # in column order
            done = future.result()
            name = done.column.name
            frame = frame.with_columns(done.column)  # the text column is released here
            plans[name] = done.plan
            if done.counts:
                counts[name] = done.counts
            issues.append(done.issues)
    merged = pl.concat(issues) if issues else pl.DataFrame(schema=CELL_ISSUES_SCHEMA)
    return frame, merged, plans, counts


def _repair_one(
    located: pl.DataFrame, column: str, proposals: dict[str, list[str]], options: IngestOptions
) -> _Repaired:
    """One column through every step; `located` is that column plus file and line."""
    if _repeats(located, column):
        return _repair_distinct(located, column, proposals, options)
    mine = {column: proposals[column]}
    cleaned, clean_counts = clean_frame(located, [column], options)
    parsed = parse_candidates(cleaned, mine, pivot=options.two_digit_year_pivot)
    del cleaned
    plan = decide(mine, measure(parsed, mine), options)[column]
    typed, issues, counts = apply_plans(located, {column: plan}, options, parsed, clean_counts)
    return _Repaired(typed.get_column(column), plan, issues, counts.get(column, {}))


_RAW = "_source_raw"
_WEIGHT = "_source_weight"


def _repair_distinct(
    located: pl.DataFrame, column: str, proposals: dict[str, list[str]], options: IngestOptions
) -> _Repaired:
    """`_repair_one` on the column's distinct values, each weighted by how often it occurs.

    Every count is a sum over rows of a function of the value, so a weighted sum over the
    distinct values is the same count; the typed values go back to the rows by position, and
    the cells that failed are found again in the rows by their raw text. The distinct values
    become an Enum, whose codes say which value each row holds (one hash pass). (`_source_*` names
    cannot clash with a repaired column: those are never repaired.)
    """
    mine = {column: proposals[column]}
    raw = located.get_column(column)
    distinct = raw.unique().drop_nulls()
    codes = raw.cast(pl.Enum(distinct)).to_physical()  # row -> its value's row in `table`
    weights = np.bincount(codes.drop_nulls().to_numpy(), minlength=distinct.len())
    table = pl.DataFrame(  # null rows count towards nothing, so they are left out
        [
            distinct,
            pl.Series(_WEIGHT, weights, dtype=pl.Int64),
            pl.Series(_RAW, distinct),
            pl.repeat("", distinct.len(), dtype=pl.String, eager=True).alias(SOURCE_FILE),
            pl.repeat(0, distinct.len(), dtype=pl.Int64, eager=True).alias(LINE),
        ]
    )
    cleaned, clean_counts = clean_frame(table, [column], options, weight=_WEIGHT)
    parsed = parse_candidates(cleaned, mine, pivot=options.two_digit_year_pivot)
    plan = decide(mine, measure(parsed, mine, weight=_WEIGHT), options)[column]
    typed, failed, counts = apply_plans(
        table, {column: plan}, options, parsed, clean_counts, weight=_WEIGHT
    )
    values = typed.get_column(column).gather(codes)
    issues = pl.DataFrame(schema=CELL_ISSUES_SCHEMA)
    mine_counts = counts.get(column, {})
    if failed.height:
        reason = failed.get_column("reason").first()
        issues = (
            located.filter(pl.col(column).is_in(failed.get_column("value").implode()))
            .select(
                pl.col(SOURCE_FILE).alias("_source_file"),
                pl.col(LINE).cast(pl.Int64).alias("_source_line"),
                pl.lit(column).alias("column"),
                pl.col(column).alias("value"),
                pl.lit(reason).alias("reason"),
            )
            .cast(CELL_ISSUES_SCHEMA)
        )
        mine_counts["value_nulled"] = issues.height
    return _Repaired(aligned_like(values, raw), plan, issues, mine_counts)


def _repeats(frame: pl.DataFrame, column: str) -> bool:
    """Whether a large column holds at most a fifth as many distinct values as rows."""
    if frame.height < _MIN_ROWS_FOR_DISTINCT or frame.get_column(column).is_null().all():
        return False
    sample = frame.get_column(column).head(_DISTINCT_PROBE_ROWS)
    return bool(sample.n_unique() <= _MAX_DISTINCT_SHARE * sample.len())
