"""Parse every proposed candidate type of every text column, once, as whole-column kernels.

Costly candidates (rich numbers, dates, date-times) are parsed on a column's distinct
values and joined back when the column repeats itself (at most a fifth of its values
distinct): real columns repeat, and a hash pass is much cheaper than regexes and date parsers
over every row. Cheap kernels (`integer`, `float` casts, `boolean` lookup) always run on
the whole column.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from pipelines.ingest.chunks import aligned_like
from pipelines.ingest.parsers import DEFAULT_PIVOT, candidate_expr

__all__ = ["parse_candidates", "parsed_name"]

_CHEAP = frozenset({"integer", "float", "boolean"})
_MIN_ROWS_FOR_DISTINCT = 20_000
_MAX_DISTINCT_SHARE = 0.2


def parsed_name(column: str, candidate: str) -> str:
    """Name of the temporary column holding `column` parsed as `candidate`."""
    return f"{column}\x00{candidate}"


def parse_candidates(
    cleaned: pl.DataFrame, proposals: Mapping[str, list[str]], *, pivot: int = DEFAULT_PIVOT
) -> pl.DataFrame:
    """`cleaned` plus one materialised column per (column, proposed candidate).

    Each candidate is parsed exactly once; `measure` counts on these columns and
    `apply_plans` can reuse the chosen one instead of parsing again. `pivot` is the
    two-digit-year pivot (`IngestOptions.two_digit_year_pivot`).
    """
    direct: list[pl.Expr] = []
    by_distinct: dict[str, list[str]] = {}
    for column, candidates in proposals.items():
        costly = [c for c in candidates if c not in _CHEAP]
        if costly and _repeats(cleaned, column):
            by_distinct[column] = costly
            candidates = [c for c in candidates if c in _CHEAP]
        direct += [
            candidate_expr(c, pl.col(column), pivot=pivot).alias(parsed_name(column, c))
            for c in candidates
        ]
    parsed = cleaned.with_columns(direct) if direct else cleaned
    for column, costly in by_distinct.items():
        distinct = cleaned.select(pl.col(column).unique().drop_nulls())
        table = distinct.with_columns(
            candidate_expr(c, pl.col(column), pivot=pivot).alias(parsed_name(column, c))
            for c in costly
        )
        joined = cleaned.select(column).join(table, on=column, how="left", maintain_order="left")
        like = cleaned.get_column(column)
        parsed = parsed.with_columns(  # cut like the text, so the frame is never copied whole
            aligned_like(parsed_column, like) for parsed_column in joined.drop(column).get_columns()
        )
    return parsed


def _repeats(frame: pl.DataFrame, column: str) -> bool:
    """Whether at most a fifth of a large column's values are distinct (estimated)."""
    if frame.height < _MIN_ROWS_FOR_DISTINCT:
        return False
    distinct = frame.select(pl.col(column).approx_n_unique()).item()
    return bool(distinct <= _MAX_DISTINCT_SHARE * frame.height)
