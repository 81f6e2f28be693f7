"""Trim text and turn null tokens (any case) into nulls, counting both, in one materialised pass."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from pipelines.ingest.models import IngestOptions
from pipelines.ingest.parsers import case_variants

__all__ = ["clean_frame", "null_variants"]


def null_variants(options: IngestOptions) -> list[str]:
    """All spellings of the configured null tokens, for a case-insensitive `is_in`."""
    return case_variants((*tuple(options.null_tokens), ""))


def clean_frame(
    frame: pl.DataFrame, columns: Iterable[str], options: IngestOptions
) -> tuple[pl.DataFrame, dict[str, dict[str, int]]]:
    """`frame` with `columns` trimmed and null tokens nulled, plus what that changed per column.

    Trims once (materialised), then counts `whitespace_trimmed` and `null_token` and nulls the
    tokens from the trimmed text, so no later step trims or matches tokens again.
    """
    columns = list(columns)
    variants = null_variants(options)
    trimmed = frame.with_columns(pl.col(c).str.strip_chars().alias(_trimmed(c)) for c in columns)
    counters: list[pl.Expr] = []
    for column in columns:
        raw, text = pl.col(column), pl.col(_trimmed(column))
        counters += [
            (raw.str.len_bytes() != text.str.len_bytes())
            .sum()
            .alias(f"{column}\x00whitespace_trimmed"),
            (text.is_in(variants) & (text != "")).sum().alias(f"{column}\x00null_token"),
        ]
    counts: dict[str, dict[str, int]] = {}
    if counters:
        for key, value in trimmed.select(counters).row(0, named=True).items():
            column, kind = key.split("\x00")
            if value:
                counts.setdefault(column, {})[kind] = int(value)
    cleaned = trimmed.with_columns(
        pl.when(pl.col(_trimmed(c)).is_in(variants))
        .then(None)
        .otherwise(pl.col(_trimmed(c)))
        .alias(c)
        for c in columns
    ).drop([_trimmed(c) for c in columns])
    return cleaned, counts


def _trimmed(column: str) -> str:
    return f"{column}\x00trimmed"
