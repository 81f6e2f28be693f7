"""Coercing one incoming column to the type it had in training, the way ingest would.

Text goes through ingest's own cleaning (trim, null tokens) and parsers (`1,234` and `$5`
as numbers, `yes`/`no` as booleans, ISO, named and month-year dates), so a value that ingest
would have repaired in the training file is repaired here too. A value that still does not
fit is reported (the caller quarantines its row), never silently nulled.
"""

from __future__ import annotations

import polars as pl

from pipelines.ingest.cleaning import null_variants
from pipelines.ingest.models import IngestOptions
from pipelines.ingest.parsers import candidate_expr

__all__ = [
    "INTEGER_DTYPES",
    "clean_text_expr",
    "coerce_expr",
    "dtype_from_name",
    "expected_phrase",
    "is_text",
    "missing_expr",
]

INTEGER_DTYPES = ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64")
_FLOAT_DTYPES = ("Float32", "Float64")
_NULLS = null_variants(IngestOptions())
_NULL_TOKENS = pl.Series(list(_NULLS), dtype=pl.String).implode()


def dtype_from_name(name: str, time_unit: str | None, time_zone: str | None) -> pl.DataType:
    """The polars dtype a schema column names (`Int64`, `Datetime`, `String`, ...)."""
    if name == "Datetime":
        return pl.Datetime(time_unit or "us", time_zone)  # type: ignore[arg-type]
    simple: dict[str, pl.DataType] = {
        "Boolean": pl.Boolean(),
        "String": pl.String(),
        "Date": pl.Date(),
        "Time": pl.Time(),
        "Int8": pl.Int8(),
        "Int16": pl.Int16(),
        "Int32": pl.Int32(),
        "Int64": pl.Int64(),
        "UInt8": pl.UInt8(),
        "UInt16": pl.UInt16(),
        "UInt32": pl.UInt32(),
        "UInt64": pl.UInt64(),
        "Float32": pl.Float32(),
        "Float64": pl.Float64(),
    }
    return simple.get(name, pl.String())


def expected_phrase(name: str) -> str:
    """What a value of dtype `name` must look like, for a quarantine reason."""
    if name in INTEGER_DTYPES:
        return "a whole number"
    if name in _FLOAT_DTYPES:
        return "a number"
    return {
        "Boolean": "true/false (or yes/no, 1/0)",
        "Date": "a date (YYYY-MM-DD)",
        "Datetime": "a date-time (YYYY-MM-DD HH:MM:SS)",
        "Time": "a time (HH:MM:SS)",
    }.get(name, "text")


def is_text(dtype: pl.DataType) -> bool:
    """Whether values of `dtype` arrive as text (String, Categorical, Enum)."""
    return dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum)


def clean_text_expr(column: str) -> pl.Expr:
    """Ingest's cleaning: trimmed, and null tokens (`NA`, `?`, ... any case) as null."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(text.is_in(_NULL_TOKENS)).then(None).otherwise(text).alias(column)


def _from_text(text: pl.Expr, name: str, target: pl.DataType, *, thorough: bool) -> pl.Expr:
    if name in INTEGER_DTYPES or name in _FLOAT_DTYPES:
        number = candidate_expr("float", text)
        if thorough:  # `1,234`, `$5.00`, `12%`, `(3)`: costs a regex, so only when needed
            number = pl.coalesce(number, candidate_expr("number_us", text))
        if name in INTEGER_DTYPES:
            number = pl.when(number == number.round(0)).then(number)
        return number.cast(target, strict=False)
    if name == "Boolean":
        return pl.coalesce(
            candidate_expr("boolean", text),
            text.replace_strict({"1": True, "0": False}, default=None, return_dtype=pl.Boolean),
        )
    if name == "Date":
        if not thorough:
            return text.str.to_date("%Y-%m-%d", strict=False)
        return pl.coalesce(
            candidate_expr("date_named", text),
            candidate_expr("month_year", text),
            candidate_expr("datetime", text).dt.date(),
        )
    if name == "Datetime":
        if not thorough:
            return text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False).cast(target)
        return candidate_expr("datetime", text).cast(target, strict=False)
    if name == "Time":
        return text.str.to_time(strict=False)
    return text


def coerce_expr(
    column: str, incoming: pl.DataType, name: str, target: pl.DataType, *, thorough: bool
) -> pl.Expr:
    """`column` (of dtype `incoming`, text already cleaned) as `target`, null if it won't fit.

    `thorough=False` tries only the plain formats (fast); the caller retries a column with
    `thorough=True` (every format ingest knows) when the fast pass left failures.
    """
    source = pl.col(column)
    if is_text(incoming):
        return _from_text(source, name, target, thorough=thorough)
    if name == "String":
        return source.cast(pl.String)
    temporal_in = incoming.is_temporal()
    if name in ("Date", "Datetime", "Time") and not temporal_in:
        return pl.repeat(None, pl.len(), dtype=target)  # a number is not a date: quarantined
    if temporal_in and name not in ("Date", "Datetime", "Time"):
        return pl.repeat(None, pl.len(), dtype=target)
    if name == "Boolean" and incoming.is_numeric():
        return pl.when(source.is_in([0, 1])).then(source.cast(pl.Boolean))
    if name in INTEGER_DTYPES and incoming.is_float():
        return pl.when(source == source.round(0)).then(source).cast(target, strict=False)
    if name == "Date" and isinstance(incoming, pl.Datetime):
        return source.dt.date()
    return source.cast(target, strict=False)


def missing_expr(column: str, incoming: pl.DataType) -> pl.Expr:
    """Whether the (cleaned) incoming value is missing: null, or NaN for floats."""
    source = pl.col(column)
    if incoming.is_float():
        return source.is_null() | source.is_nan()
    return source.is_null()
