"""Shared vectorised checks for pandera polars models: each returns a boolean LazyFrame.

Use them from a model with ``@pa.check("column", name="...")`` and a one-line method that calls
the function here. Every check is one polars expression over the whole column (no
``element_wise``), so a check over millions of rows costs about as much as the expression.
Nulls pass every check here: nullability is the ``Field(nullable=...)`` decision.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from pandera.api.polars.types import PolarsData

__all__ = [
    "date_between",
    "is_trimmed",
    "not_blank",
    "positive",
    "starts_with_any",
]


def _column(data: PolarsData) -> pl.Expr:
    return pl.col(data.key)


def not_blank(data: PolarsData) -> pl.LazyFrame:
    """Text that holds something other than whitespace."""
    expr = _column(data).str.strip_chars().str.len_chars() > 0
    return data.lazyframe.select(expr.fill_null(value=True))


def is_trimmed(data: PolarsData) -> pl.LazyFrame:
    """Text without leading or trailing whitespace."""
    column = _column(data)
    return data.lazyframe.select((column == column.str.strip_chars()).fill_null(value=True))


def positive(data: PolarsData) -> pl.LazyFrame:
    """Numbers strictly greater than zero (a measurement cannot be zero or negative)."""
    return data.lazyframe.select((_column(data) > 0).fill_null(value=True))


def date_between(data: PolarsData, earliest: dt.date, latest: dt.date) -> pl.LazyFrame:
    """Dates inside ``[earliest, latest]``, both ends included."""
    expr = _column(data).is_between(pl.lit(earliest), pl.lit(latest), closed="both")
    return data.lazyframe.select(expr.fill_null(value=True))


def starts_with_any(data: PolarsData, prefixes: tuple[str, ...]) -> pl.LazyFrame:
    """Text that starts with one of ``prefixes`` (e.g. a species' common name)."""
    column = _column(data)
    expr = pl.any_horizontal([column.str.starts_with(prefix) for prefix in prefixes])
    return data.lazyframe.select(expr.fill_null(value=True))
