"""Trim text and turn null tokens (any case) into nulls, counting both, touching only what changes.

One streaming `select` counts, for every column at once, how many values trimming would
change and how many are null tokens; only the columns where either count is non-zero are
rewritten (a second `select` over just those). Columns that need nothing stay the very same
series, so a clean file is not copied. `repair_count_exprs` counts what a type candidate had
to strip or reinterpret (currency, thousands separators, two-digit years...).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from pipelines.ingest.models import IngestOptions
from pipelines.ingest.parsers import (
    CANDIDATE_KIND,
    CURRENCY_SYMBOLS,
    TWO_DIGIT_YEAR_DATE,
    case_variants,
)

__all__ = ["clean_frame", "null_variants", "repair_count_exprs", "tally"]


def tally(condition: pl.Expr, weight: str | None = None) -> pl.Expr:
    """How many rows `condition` holds for.

    With `weight`, each row of the frame stands for that many rows (a table of distinct values
    and their counts), so the sum of `weight` where `condition` holds is the same count.
    """
    if weight is None:
        return condition.sum()
    return pl.when(condition).then(pl.col(weight)).otherwise(0).sum()


def null_variants(options: IngestOptions) -> list[str]:
    """All spellings of the configured null tokens, for a case-insensitive `is_in`."""
    return case_variants((*tuple(options.null_tokens), ""))


def clean_frame(
    frame: pl.DataFrame,
    columns: Iterable[str],
    options: IngestOptions,
    *,
    weight: str | None = None,
) -> tuple[pl.DataFrame, dict[str, dict[str, int]]]:
    """`frame` with `columns` trimmed and null tokens nulled, plus what that changed per column.

    Counts `whitespace_trimmed` (values trimming shortens) and `null_token` (trimmed values that
    are a token, the empty string aside) in one pass, then rewrites only the columns with a
    non-zero count. `weight` names a column of row counts (see `tally`). Collects: returns a
    materialised frame.
    """
    columns = list(columns)
    variants = null_variants(options)
    counters: list[pl.Expr] = []
    for column in columns:
        raw, text = pl.col(column), pl.col(_trimmed(column))
        counters += [
            tally(raw.str.len_bytes() != text.str.len_bytes(), weight).alias(
                f"{column}\x00whitespace_trimmed"
            ),
            tally(text.is_in(variants) & (text != ""), weight).alias(f"{column}\x00null_token"),
        ]
    counts: dict[str, dict[str, int]] = {}
    if counters:
        trimmed = frame.lazy().with_columns(
            pl.col(column).str.strip_chars().alias(_trimmed(column)) for column in columns
        )
        # streaming: the trimmed temporaries exist one morsel at a time, on every core
        found = trimmed.select(counters).collect(engine="streaming").row(0, named=True)
        for key, value in found.items():
            column, kind = key.split("\x00")
            if value:
                counts.setdefault(column, {})[kind] = int(value)
    changed = [column for column in columns if column in counts]
    if not changed:
        return frame, counts
    rewritten = frame.select(_cleaned(pl.col(column), variants).alias(column) for column in changed)
    return frame.with_columns(rewritten.get_columns()), counts


def _cleaned(raw: pl.Expr, variants: list[str]) -> pl.Expr:
    """`raw` trimmed, with null tokens (and what trims to empty) as null."""
    return raw.str.strip_chars().replace(variants, None)


def _trimmed(column: str) -> str:
    return f"{column}\x00trimmed"


def repair_count_exprs(
    column: str, clean: pl.Expr, value: pl.Expr, candidate: str, weight: str | None = None
) -> list[pl.Expr]:
    """Counters for what a candidate had to strip or reinterpret to read the values."""
    ok = value.is_not_null()
    prefix = f"{column}\x00"
    if candidate in {"number_us", "number_eu"}:
        thousands = r"\d,\d{3}" if candidate == "number_us" else r"\d\.\d{3}"
        exprs = [
            tally(ok & clean.str.contains_any(list(CURRENCY_SYMBOLS)), weight).alias(
                prefix + "currency_symbol"
            ),
            tally(ok & clean.str.contains(thousands), weight).alias(prefix + "thousands_separator"),
            tally(ok & clean.str.contains("%", literal=True), weight).alias(prefix + "percent"),
            tally(ok & clean.str.starts_with("("), weight).alias(prefix + "parentheses_negative"),
        ]
        if candidate == "number_eu":
            exprs.append(
                tally(ok & clean.str.contains(r",\d"), weight).alias(prefix + "decimal_comma")
            )
        return exprs
    kind = CANDIDATE_KIND.get(candidate, "")
    if candidate in {"date_mdy", "date_dmy"}:
        short = ok & clean.str.contains(TWO_DIGIT_YEAR_DATE)
        return [
            tally(ok, weight).alias(prefix + kind),
            tally(short, weight).alias(prefix + "two_digit_year"),
        ]
    if kind in {"boolean", "date", "datetime"}:
        return [tally(ok, weight).alias(prefix + kind)]
    return []
