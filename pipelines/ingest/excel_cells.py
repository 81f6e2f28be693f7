"""Spreadsheet cells that a text load would null: times, durations and error values, kept as text.

fastexcel's all-text load (`dtypes="string"`) reports every cell it could not turn into text
instead of silently nulling it (`to_arrow_with_errors`). Here each such cell gets the text a
user sees in the spreadsheet: an ISO duration (ODS times and durations) becomes `HH:MM:SS`,
an error value becomes `#DIV/0!`, `#N/A`... The repair step then treats them like the same text
in a CSV (a number column nulls `#DIV/0!` and lists it in `cell_issues`; `#N/A` is a null token).
Excel times come as date-times on day 0 (`1899-12-31 09:30:15`) and durations as date-times
counted from it; both become `HH:MM:SS` text too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

import polars as pl

__all__ = ["cell_text", "fix_clock_columns", "patch_cells"]

_GOT = re.compile(r"got '(\w+)\((.*)\)'$", re.S)
_ISO_DURATION = re.compile(
    r"^-?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Value": "#VALUE!",
    "Ref": "#REF!",
    "Name": "#NAME?",
    "Num": "#NUM!",
    "Null": "#NULL!",
    "GettingData": "#GETTING_DATA",
}
_DAY_ZERO = ("1899-12-31 ", "1899-12-30 ")
_DATETIME_TEXT = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$"


def _clock(seconds: float) -> str:
    whole = round(seconds)
    sign = "-" if whole < 0 else ""
    hours, rest = divmod(abs(whole), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def cell_text(detail: str) -> str:
    """The text for a cell fastexcel could not read as text, from its error detail."""
    found = _GOT.search(detail)
    if found is None:
        return detail
    kind, payload = found.group(1), found.group(2).strip('"')
    if kind == "Error":
        return _ERRORS.get(payload, f"#{payload.upper()}!")
    if kind == "DurationIso":
        parts = _ISO_DURATION.match(payload)
        if parts:
            days, hours, minutes, seconds = (float(p) if p else 0.0 for p in parts.groups())
            total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
            return _clock(-total if payload.startswith("-") else total)
    return payload


def patch_cells(
    data: pl.DataFrame, errors: Iterable[tuple[int, int, str]]
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Write text into cells given as (data row, column index, text); count per column."""
    by_column: dict[int, dict[int, str]] = defaultdict(dict)
    for row, column, text in errors:
        if 0 <= row < data.height and 0 <= column < data.width:
            by_column[column][row] = text
    replaced: list[pl.Series] = []
    counts: dict[str, int] = {}
    for index, cells in by_column.items():
        series = data.to_series(index)
        values = series.to_list()
        for row, text in cells.items():
            values[row] = text
        replaced.append(pl.Series(series.name, values, dtype=pl.String))
        counts[series.name] = len(cells)
    return (data.with_columns(replaced) if replaced else data), counts


def fix_clock_columns(
    data: pl.DataFrame, kinds: Mapping[str, str]
) -> tuple[pl.DataFrame, list[str]]:
    """Excel time-of-day and duration columns (read as date-times) as `HH:MM:SS` text.

    `kinds` is fastexcel's guessed dtype per column. A column is a time of day when every
    date-time in it falls on day 0; a `duration` column counts hours from day 0.
    """
    columns: list[pl.Series] = []
    fixed: list[str] = []
    for name in data.columns:
        values = data.get_column(name)
        if values.dtype != pl.String:
            continue
        is_datetime = values.str.contains(_DATETIME_TEXT).fill_null(value=False)
        if not bool(is_datetime.any()):
            continue
        on_day_zero = values.str.starts_with(_DAY_ZERO[0]) | values.str.starts_with(_DAY_ZERO[1])
        if kinds.get(name) == "duration":
            stamp = values.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="ms")
            millis = (stamp - dt.datetime(1899, 12, 31)).dt.total_milliseconds()
            text = pl.Series(name, [None if m is None else _clock(m / 1000) for m in millis])
        elif bool((~is_datetime | on_day_zero.fill_null(value=False)).all()):
            text = values.str.slice(11)
        else:
            continue
        columns.append(text.zip_with(is_datetime, values).alias(name))
        fixed.append(name)
    return (data.with_columns(columns) if columns else data), fixed
