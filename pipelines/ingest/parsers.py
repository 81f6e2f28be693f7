"""Candidate types for a text column, each a polars expression from clean text to a value.

A candidate's value is null where the text does not parse; the caller compares that with the
input's nulls to count failures. Order matters: it breaks ties between candidates that fit a
column equally well (`integer` before `float`, US number style before EU).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

import polars as pl

__all__ = [
    "BOOLEAN_TOKENS",
    "CANDIDATES",
    "DATETIME_FORMATS",
    "DATE_FORMATS",
    "candidate_expr",
    "case_variants",
]

BOOLEAN_TOKENS: dict[str, bool] = {
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "true": True,
    "false": False,
    "t": True,
    "f": False,
}
_CURRENCY = r"[$€£¥]"
_US_NUMBER = r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][-+]?\d+)?$"
_EU_NUMBER = r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)?(,\d+)?$"

DATE_FORMATS: dict[str, tuple[str, ...]] = {
    "date_iso": (
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%d-%b-%Y",
        "%d %b %Y",
        "%d %B %Y",
        "%B %d, %Y",
        "%b %d, %Y",
    ),
    "date_mdy": ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y"),
    "date_dmy": ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"),
}
DATETIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
)
CANDIDATES: tuple[str, ...] = (
    "boolean",
    "integer",
    "float",
    "number_us",
    "number_eu",
    "date_iso",
    "date_mdy",
    "date_dmy",
    "month_year",
    "datetime",
)
"""Every candidate, in tie-break order."""

CANDIDATE_KIND: dict[str, str] = {
    "boolean": "boolean",
    "integer": "integer",
    "float": "float",
    "number_us": "number",
    "number_eu": "number",
    "date_iso": "date",
    "date_mdy": "date",
    "date_dmy": "date",
    "month_year": "date",
    "datetime": "datetime",
}


def case_variants(tokens: tuple[str, ...], max_letters: int = 8) -> list[str]:
    """Every upper/lower spelling of each token, so `is_in` can match case-insensitively."""
    variants: set[str] = set()
    for token in tokens:
        lower = token.lower()
        letters = [i for i, char in enumerate(lower) if char.isalpha()]
        if len(letters) > max_letters:
            variants.update({lower, lower.upper(), lower.title()})
            continue
        for flips in product((False, True), repeat=len(letters)):
            chars = list(lower)
            for index, flip in zip(letters, flips, strict=True):
                if flip:
                    chars[index] = chars[index].upper()
            variants.add("".join(chars))
    return sorted(variants)


def _boolean(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().replace_strict(
        BOOLEAN_TOKENS, default=None, return_dtype=pl.Boolean
    )


def _number(text: pl.Expr, *, european: bool) -> pl.Expr:
    body = text.str.replace_all(_CURRENCY, "").str.replace_all(r"\s", "")
    negative = body.str.starts_with("(") & body.str.ends_with(")")
    body = body.str.strip_prefix("(").str.strip_suffix(")")
    percent = body.str.ends_with("%")
    body = body.str.strip_suffix("%")
    if european:
        valid = body.str.contains(_EU_NUMBER)
        digits = body.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        valid = body.str.contains(_US_NUMBER)
        digits = body.str.replace_all(",", "", literal=True)
    number: pl.Expr = pl.when(valid & body.str.contains(r"\d")).then(
        digits.cast(pl.Float64, strict=False)
    )
    signed: pl.Expr = pl.when(negative).then(-number).otherwise(number)
    return pl.when(percent).then(signed / 100).otherwise(signed)


def _dates(text: pl.Expr, formats: tuple[str, ...]) -> pl.Expr:
    return pl.coalesce([text.str.to_date(fmt, strict=False) for fmt in formats])


def _month_year(text: pl.Expr) -> pl.Expr:
    return pl.coalesce(
        [
            (pl.lit("01-") + text).str.to_date("%d-%b-%Y", strict=False),
            (pl.lit("01 ") + text).str.to_date("%d %b %Y", strict=False),
            (pl.lit("01 ") + text).str.to_date("%d %B %Y", strict=False),
            (text + pl.lit("-01")).str.to_date("%Y-%m-%d", strict=False),
        ]
    )


def _datetime(text: pl.Expr) -> pl.Expr:
    parsed = [text.str.to_datetime(fmt, strict=False, time_unit="us") for fmt in DATETIME_FORMATS]
    parsed.append(text.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us")))
    return pl.coalesce(parsed)


_BUILDERS: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "boolean": _boolean,
    "integer": lambda text: text.cast(pl.Int64, strict=False),
    "float": lambda text: text.cast(pl.Float64, strict=False),
    "number_us": lambda text: _number(text, european=False),
    "number_eu": lambda text: _number(text, european=True),
    "date_iso": lambda text: _dates(text, DATE_FORMATS["date_iso"]),
    "date_mdy": lambda text: _dates(text, DATE_FORMATS["date_iso"] + DATE_FORMATS["date_mdy"]),
    "date_dmy": lambda text: _dates(text, DATE_FORMATS["date_iso"] + DATE_FORMATS["date_dmy"]),
    "month_year": _month_year,
    "datetime": _datetime,
}


def candidate_expr(candidate: str, text: pl.Expr) -> pl.Expr:
    """The parsed value of `text` under `candidate` (null where it does not parse)."""
    return _BUILDERS[candidate](text)
