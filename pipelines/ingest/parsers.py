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
    "DEFAULT_PIVOT",
    "TWO_DIGIT_YEAR_DATE",
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
CURRENCY_SYMBOLS: tuple[str, ...] = ("$", "€", "£", "¥")
_NUMBER_DECORATION = [*CURRENCY_SYMBOLS, " ", "\u00a0", "(", ")", "%"]
_US_NUMBER = r"^[-+]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)?(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
_EU_NUMBER = r"^[-+]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)?(,[0-9]+)?$"

DATE_FORMATS: dict[str, tuple[str, ...]] = {
    "date_iso": ("%Y-%m-%d", "%Y/%m/%d"),
    "date_named": ("%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%B %d, %Y", "%b %d, %Y"),
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
TWO_DIGIT_YEAR_DATE = r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})$"
"""A slash (or dot or dash) date whose year has two digits: `12/28/02`."""
DEFAULT_PIVOT = 69
"""Two-digit years 00-68 are 2000-2068, 69-99 are 1969-1999 (as POSIX strptime)."""
_MIN_YEAR = 100

CANDIDATES: tuple[str, ...] = (
    "boolean",
    "integer",
    "float",
    "number_us",
    "number_eu",
    "date_iso",
    "date_named",
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
    "date_named": "date",
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
    """Numbers with currency, grouping, `%` (scaled to a fraction) and `(123)` negatives.

    Built from cheap literal operations plus one regex: each sub-expression is re-evaluated
    where it is used (no common-subexpression reuse inside when/then), so keep them cheap.
    """
    core = text.str.replace_many(_NUMBER_DECORATION, [""] * len(_NUMBER_DECORATION))
    parenthesised = text.str.starts_with("(")
    balanced = parenthesised == text.str.ends_with(")")
    if european:
        valid = core.str.contains(_EU_NUMBER)
        digits = core.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        valid = core.str.contains(_US_NUMBER)
        digits = core.str.replace_all(",", "", literal=True)
    number = pl.when(valid & balanced).then(digits.cast(pl.Float64, strict=False))
    sign = pl.when(parenthesised).then(pl.lit(-1.0)).otherwise(pl.lit(1.0))
    scale = pl.when(text.str.ends_with("%")).then(pl.lit(0.01)).otherwise(pl.lit(1.0))
    return number * sign * scale


def _real_year(value: pl.Expr) -> pl.Expr:
    """`value` where its year is 100 or later, else null: `%Y` reads `02` as year 2."""
    return pl.when(value.dt.year() >= _MIN_YEAR).then(value)


def _dates(text: pl.Expr, formats: tuple[str, ...]) -> pl.Expr:
    return pl.coalesce([_real_year(text.str.to_date(fmt, strict=False)) for fmt in formats])


def _two_digit_year(text: pl.Expr, *, day_first: bool, pivot: int) -> pl.Expr:
    """`12/28/02` (or `28.12.02` day first) as a date, years below `pivot` in the 2000s."""
    parts = text.str.extract_groups(TWO_DIGIT_YEAR_DATE)
    first, second = parts.struct.field("1"), parts.struct.field("2")
    short = parts.struct.field("3").cast(pl.Int32, strict=False)
    year = pl.when(short < pivot).then(short + 2000).otherwise(short + 1900).cast(pl.String)
    day, month = (first, second) if day_first else (second, first)
    iso = pl.concat_str([year, month.str.zfill(2), day.str.zfill(2)], separator="-")
    return iso.str.to_date("%Y-%m-%d", strict=False)


def _slash_dates(text: pl.Expr, *, day_first: bool, pivot: int) -> pl.Expr:
    formats = DATE_FORMATS["date_iso"] + DATE_FORMATS["date_dmy" if day_first else "date_mdy"]
    four_digits = _dates(text, formats)
    return pl.coalesce([four_digits, _two_digit_year(text, day_first=day_first, pivot=pivot)])


def _month_year(text: pl.Expr) -> pl.Expr:
    return pl.coalesce(
        [
            (pl.lit("01-") + text).str.to_date("%d-%b-%Y", strict=False),
            (pl.lit("01 ") + text).str.to_date("%d %b %Y", strict=False),
            (pl.lit("01 ") + text).str.to_date("%d %B %Y", strict=False),
            (text + pl.lit("-01")).str.to_date("%Y-%m-%d", strict=False),
        ]
    ).pipe(_real_year)


def _datetime(text: pl.Expr) -> pl.Expr:
    parsed = [
        _real_year(text.str.to_datetime(fmt, strict=False, time_unit="us"))
        for fmt in DATETIME_FORMATS
    ]
    parsed.append(_real_year(text.str.to_date("%Y-%m-%d", strict=False)).cast(pl.Datetime("us")))
    return pl.coalesce(parsed)


_BUILDERS: dict[str, Callable[[pl.Expr, int], pl.Expr]] = {
    "boolean": lambda text, _: _boolean(text),
    "integer": lambda text, _: text.cast(pl.Int64, strict=False),
    "float": lambda text, _: text.cast(pl.Float64, strict=False),
    "number_us": lambda text, _: _number(text, european=False),
    "number_eu": lambda text, _: _number(text, european=True),
    "date_iso": lambda text, _: _dates(text, DATE_FORMATS["date_iso"]),
    "date_named": lambda text, _: _dates(
        text, DATE_FORMATS["date_iso"] + DATE_FORMATS["date_named"]
    ),
    "date_mdy": lambda text, pivot: _slash_dates(text, day_first=False, pivot=pivot),
    "date_dmy": lambda text, pivot: _slash_dates(text, day_first=True, pivot=pivot),
    "month_year": lambda text, _: _month_year(text),
    "datetime": lambda text, _: _datetime(text),
}


def candidate_expr(candidate: str, text: pl.Expr, *, pivot: int = DEFAULT_PIVOT) -> pl.Expr:
    """The parsed value of `text` under `candidate` (null where it does not parse).

    `pivot` places two-digit years of slash dates: below it 20xx, else 19xx.
    """
    return _BUILDERS[candidate](text, pivot)
