"""In-memory repair column by column, so each column's text is freed once it is typed.

`ingest` holds the whole file as String columns; repairing every column at once adds a cleaned
copy and every candidate column on top of that (peak ~6x the file at 3M rows). Here each column
goes through clean -> candidates -> measure -> decide -> apply on its own, and its typed result
replaces its text in the frame before the next columns start: memory stays near the text frame
itself. Two columns are in flight at a time (polars releases the GIL), so both cores work.
The evidence is still the whole column, so the plans are those of the all-at-once steps.
`chunk_evidence` and `apply_by_column` do the same per chunk for the two streaming passes.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from pipelines.ingest.distinct import WEIGHT, DistinctValues, repeats
from pipelines.ingest.models import CELL_ISSUES_SCHEMA, IngestOptions
from pipelines.ingest.repair import (
    LINE,
    SOURCE_FILE,
    ColumnPlan,
    Evidence,
    apply_plans,
    clean_frame,
    decide,
    measure,
    parse_candidates,
    proposal_sample,
    propose_from_sample,
)

__all__ = ["apply_by_column", "chunk_evidence", "repair_by_column"]

_IN_FLIGHT = min(2, os.cpu_count() or 1)


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
    mine = {column: proposals[column]}
    if repeats(located, column):
        values = DistinctValues.of(located, column)
        prepared = values.parsed(mine[column], options)
        evidence = measure(prepared[0], mine, weight=WEIGHT)
        plan = decide(mine, evidence, options)[column]
        typed_column, issues, column_counts = values.apply(located, plan, options, prepared)
        return _Repaired(typed_column, plan, issues, column_counts)
    cleaned, clean_counts = clean_frame(located, [column], options)
    parsed = parse_candidates(cleaned, mine, pivot=options.two_digit_year_pivot)
    del cleaned
    plan = decide(mine, measure(parsed, mine), options)[column]
    typed, issues, counts = apply_plans(located, {column: plan}, options, parsed, clean_counts)
    return _Repaired(typed.get_column(column), plan, issues, counts.get(column, {}))


def chunk_evidence(
    data: pl.DataFrame, proposals: dict[str, list[str]], options: IngestOptions
) -> Evidence:
    """`measure` of a streamed chunk, column by column (by distinct values if one repeats)."""

    def one(column: str) -> Evidence:
        mine = {column: proposals[column]}
        if repeats(data, column):
            return DistinctValues.of(data, column).evidence(mine[column], options)
        cleaned, _ = clean_frame(data.select(column), [column], options)
        return measure(parse_candidates(cleaned, mine, pivot=options.two_digit_year_pivot), mine)

    evidence = Evidence()
    with ThreadPoolExecutor(max_workers=_IN_FLIGHT, thread_name_prefix="ingest-repair") as pool:
        for found in pool.map(one, list(proposals)):
            evidence.merge(found)
    return evidence


def apply_by_column(
    located: pl.DataFrame, plans: dict[str, ColumnPlan], options: IngestOptions
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, dict[str, int]]]:
    """`apply_plans` on one streamed chunk, column by column (distinct values if it repeats)."""

    def one(column: str) -> tuple[pl.Series, pl.DataFrame, dict[str, int]]:
        if repeats(located, column):
            return DistinctValues.of(located, column).apply(located, plans[column], options)
        mine = located.select(SOURCE_FILE, LINE, column)
        typed, issues, counts = apply_plans(mine, {column: plans[column]}, options)
        return typed.get_column(column), issues, counts.get(column, {})

    counts: dict[str, dict[str, int]] = {}
    issues: list[pl.DataFrame] = []
    typed_columns: list[pl.Series] = []
    with ThreadPoolExecutor(max_workers=_IN_FLIGHT, thread_name_prefix="ingest-repair") as pool:
        for column, (typed, found, column_counts) in zip(
            plans, pool.map(one, list(plans)), strict=True
        ):
            typed_columns.append(typed)
            issues.append(found)
            if column_counts:
                counts[column] = column_counts
    merged = pl.concat(issues) if issues else pl.DataFrame(schema=CELL_ISSUES_SCHEMA)
    return located.with_columns(typed_columns), merged, counts
