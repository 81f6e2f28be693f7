"""Detect a text table's dialect (delimiter, quote, escape, space after delimiter) from a sample.

The method is CleverCSV's (van den Burg, Nazabal and Sutton, "Wrangling messy CSV files by
detecting row and type patterns", 2019), reimplemented on the standard library's C `csv` parser:
every candidate dialect parses a bounded sample; its score is the *pattern score* (rows of one
width, many fields: `1/K * sum_k N_k * (L_k - 1) / L_k` over the K distinct row widths) times the
*type score* (the share of cells that look like a known type: number, date, time, boolean, null
token, URL, e-mail, a plain word). The best score wins; ties go to the more common dialect.
Confidence is `1 - runner_up / best` (0 when two dialects read the sample equally well).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _csv import Reader

__all__ = [
    "CANDIDATE_DELIMITERS",
    "Dialect",
    "DialectGuess",
    "detect_dialect",
    "dialect_reader",
    "sample_rows",
]

CANDIDATE_DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|", ":", " ", "^", "~", "+", "?")
"""Every delimiter tried, in tie-break order (comma first)."""

_QUOTES: tuple[str, ...] = ('"', "'")
_ESCAPE = "\\"
_SAMPLE_CHARS = 64 * 1024
_SAMPLE_ROWS = 200
_EPSILON = 1e-3
_KNOWN = [
    re.compile(pattern)
    for pattern in (
        r"[-+]?[$€£¥]?\(?[-+]?(\d{1,3}([,.\u00a0 ]\d{3})+|\d+)?([.,]\d+)?\)?%?([eE][-+]?\d+)?",
        r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}",
        r"\d{1,2}[- ]?[A-Za-z]{3,9}[- ,]*\d{2,4}|[A-Za-z]{3,9}[- ]\d{1,2},? \d{4}",
        r"[A-Za-z]{3}-\d{4}",
        r"\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?( ?[AaPp][Mm])?",
        r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[-+]\d{2}:?\d{2})?",
        r"(?i:true|false|yes|no|[tfyn]|na|n/a|null|none|nan|#n/a|nil|missing|-|--|\?)",
        r"(https?|ftp)://\S+|[\w.+-]+@[\w-]+\.[\w.-]+",
        r"[^\W_]+([ '.-][^\W_]+)*\.?",
    )
]


@dataclass(frozen=True)
class Dialect:
    """How fields are separated and quoted."""

    delimiter: str
    quote: str | None = '"'
    escape: str | None = None
    skip_initial_space: bool = False

    @property
    def needs_python(self) -> bool:
        """Whether records need the careful parser (polars knows neither escapes nor spaces)."""
        return self.escape is not None or self.skip_initial_space

    def describe(self) -> str:
        """`delimiter ';', quote '"'` and what else is set, for notes."""
        shown = {"\t": "\\t", " ": "space"}.get(self.delimiter, self.delimiter)
        parts = [f"delimiter {shown!r}" if shown != "space" else "delimiter space"]
        parts.append(f"quote {self.quote!r}" if self.quote else "no quote character")
        if self.escape:
            parts.append(f"escape {self.escape!r}")
        if self.skip_initial_space:
            parts.append("spaces after a delimiter skipped")
        return ", ".join(parts)


@dataclass(frozen=True)
class DialectGuess:
    """The chosen dialect, how sure (0-1), and the runner-up it beat."""

    dialect: Dialect
    confidence: float
    runner_up: Dialect | None
    detected: bool

    def note(self) -> str:
        """One sentence for the report's notes."""
        if not self.detected:
            return f"dialect given: {self.dialect.describe()}"
        text = f"dialect detected: {self.dialect.describe()} (confidence {self.confidence:.2f}"
        if self.runner_up is not None:
            text += f"; runner-up {self.runner_up.describe()}"
        return text + ")"


def dialect_reader(sample: str, dialect: Dialect) -> Reader:
    """Python's `csv` reader over `sample` with `dialect`'s delimiter, quote and escape."""
    return csv.reader(
        io.StringIO(sample),
        delimiter=dialect.delimiter,
        quotechar=dialect.quote or '"',
        quoting=csv.QUOTE_MINIMAL if dialect.quote else csv.QUOTE_NONE,
        escapechar=dialect.escape,
        skipinitialspace=dialect.skip_initial_space,
        doublequote=True,
        strict=False,
    )


def sample_rows(sample: str, dialect: Dialect, max_rows: int = _SAMPLE_ROWS) -> list[list[str]]:
    """Parse up to `max_rows` records of `sample` (blank lines give `[]`)."""
    reader = dialect_reader(sample, dialect)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= max_rows:
                break
    except csv.Error:  # an open quote at the end of the sample: score what was read
        pass
    return rows


def _candidates(
    sample: str, delimiter: str | None, quote: str | None, escape: str | None
) -> list[Dialect]:
    delimiters = [delimiter] if delimiter else [d for d in CANDIDATE_DELIMITERS if d in sample]
    quotes = [quote] if quote else [q for q in _QUOTES if q == '"' or q in sample]
    escapes: list[str | None] = [escape] if escape else [None]
    if escape is None and _ESCAPE in sample:
        escapes.append(_ESCAPE)
    result = []
    for d in delimiters or [","]:
        for q in quotes:
            for e in escapes:
                if e is not None and not any(f"{e}{c}" in sample for c in (d, q)):
                    continue
                result.append(Dialect(d, q, e, skip_initial_space=False))
                if d != " " and f"{d} {q}" in sample:
                    result.append(Dialect(d, q, e, skip_initial_space=True))
    return result


@cache
def _known_type(cell: str) -> bool:
    text = cell.strip()
    return not text or any(pattern.fullmatch(text) for pattern in _KNOWN)


def _score(rows: list[list[str]]) -> float:
    widths = Counter(len(row) for row in rows if row)
    if not widths:
        return 0.0
    pattern = sum(n * max(_EPSILON, (width - 1) / width) for width, n in widths.items())
    pattern /= len(widths)
    cells = [cell for row in rows for cell in row]
    typed = sum(1 for cell in cells if _known_type(cell)) / len(cells) if cells else 0.0
    return pattern * max(typed, _EPSILON)


def detect_dialect(
    sample: str,
    *,
    delimiter: str | None = None,
    quote: str | None = None,
    escape: str | None = None,
) -> DialectGuess:
    """Score every plausible dialect on `sample` (bounded to 64 KiB, 200 records).

    `delimiter`, `quote` and `escape` fix that part of the dialect when given. Only characters
    that occur in the sample are tried; an escape only where it precedes a delimiter or quote,
    and skipped initial spaces only where a delimiter, a space and a quote meet.
    """
    text = sample[:_SAMPLE_CHARS]
    if len(sample) > _SAMPLE_CHARS and "\n" in text:
        text = text[: text.rfind("\n") + 1]
    scored = []
    for index, dialect in enumerate(_candidates(text, delimiter, quote, escape)):
        rows = sample_rows(text, dialect)
        scored.append((_score(rows), index, dialect, rows))
    scored.sort(key=lambda item: (-item[0], item[1]))
    best_score, _, best, best_rows = scored[0]
    # the runner-up is the best dialect that reads the sample differently
    second, runner_up = next(
        ((s, d) for s, _, d, rows in scored[1:] if rows != best_rows), (0, None)
    )
    confidence = 0.0 if best_score <= 0 else max(0.0, 1.0 - second / best_score)
    if not any(best.delimiter in row_text for row_text in text.splitlines()[:_SAMPLE_ROWS]):
        confidence = 0.0  # no delimiter at all: one column, nothing to be sure about
    given = delimiter is not None and quote is not None and escape is not None
    return DialectGuess(best, round(confidence, 3), runner_up, detected=not given)
