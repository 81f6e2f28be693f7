"""Where the table starts in a text file: title lines above the header, or no header at all.

Judged on the parsed sample (the first 200 records), never on the whole file:
- the table's width is the most common field count below the first record;
- lines above the first *full* row of that width (more than half its cells filled) that fill at
  most half the width or hold a phrase of several words are titles or notes (spreadsheet and
  statistics-office exports), as long as at most 20 lines are skipped, at least 90% of the
  rows below are of the table's width and the new header row is not typed like the data;
- a first row typed like the data (a number where the column holds numbers, and nowhere text
  above a typed column) is not a header: columns are named `column_1`... with a note.
Notes under the table (trailing one-cell records of prose, such as `Source: Eurostat`, after
the last row) are taken out of the quarantine by `split_notes_below` and reported as skipped
lines.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass

import polars as pl

from pipelines.ingest.models import DEFAULT_NULL_TOKENS, SkippedLine
from pipelines.ingest.sniff import Dialect, dialect_reader

__all__ = [
    "TableStart",
    "find_table_start",
    "notes_below_note",
    "numbered_rows",
    "split_notes_below",
]

_MAX_TITLE_LINES = 20
_MIN_CONSISTENCY = 0.9
_NULLS = frozenset(DEFAULT_NULL_TOKENS)
_CLASSES = (
    ("number", re.compile(r"[-+]?[$€£¥]?\(?(\d{1,3}(,\d{3})+|\d+)?([.,]\d+)?\)?%?([eE][-+]?\d+)?")),
    ("date", re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?")),
    ("time", re.compile(r"\d{1,2}:\d{2}(:\d{2})?")),
    ("boolean", re.compile(r"(?i:true|false|yes|no)")),
)


@dataclass(frozen=True)
class NumberedRow:
    """A non-blank record of the sample and its first physical line."""

    line: int
    fields: list[str]
    raw: str = ""

    @property
    def filled(self) -> int:
        """How many cells hold something other than spaces."""
        return sum(1 for field in self.fields if field.strip())


@dataclass(frozen=True)
class TableStart:
    """The header's physical line (first data line when headerless), what was skipped, why."""

    header_line: int
    has_header: bool
    skipped: tuple[SkippedLine, ...] = ()
    width: int = 0
    notes: tuple[str, ...] = ()


def numbered_rows(sample: str, dialect: Dialect, max_rows: int = 200) -> list[NumberedRow]:
    """The first `max_rows` non-blank records of `sample` with their physical line numbers."""
    reader = dialect_reader(sample, dialect)
    rows: list[NumberedRow] = []
    physical = sample.split("\n")
    previous = 0
    try:
        for fields in reader:
            raw = "\n".join(physical[previous : reader.line_num]).replace("\r", "")
            row = NumberedRow(previous + 1, fields, raw)
            previous = reader.line_num
            if row.filled:
                rows.append(row)
            if len(rows) >= max_rows:
                break
    except csv.Error:  # an open quote at the end of the sample
        pass
    return rows


def _cell_class(cell: str) -> str:
    text = cell.strip()
    if text.lower() in _NULLS:
        return "empty"
    return next((name for name, pattern in _CLASSES if pattern.fullmatch(text)), "text")


def _typed_like_data(first: NumberedRow, body: list[NumberedRow]) -> bool:
    """Whether `first` reads as a data row: typed cells where the columns are typed, no text."""
    if len(body) < 2:
        return False
    typed_match = 0
    for index, cell in enumerate(first.fields):
        classes = Counter(_cell_class(row.fields[index]) for row in body if index < len(row.fields))
        classes.pop("empty", None)
        if not classes:
            continue
        dominant, count = classes.most_common(1)[0]
        if count < _MIN_CONSISTENCY * sum(classes.values()):
            continue
        mine = _cell_class(cell)
        if dominant != "text" and mine == "text":
            return False  # a name above a typed column: a header
        if mine == dominant and dominant != "text":
            typed_match += 1
    return typed_match > 0


def find_table_start(
    rows: list[NumberedRow], *, has_header: bool | None, detect: bool
) -> TableStart:
    """Decide where the header is and whether there is one (`has_header` None: detect)."""
    if not rows:
        return TableStart(1, has_header if has_header is not None else True)
    widths = Counter(len(row.fields) for row in (rows[1:] or rows))
    width = max(widths.items(), key=lambda item: (item[1], item[0]))[0]
    start = _title_lines(rows, width) if detect and has_header is not False else 0
    header = rows[start]
    body = rows[start + 1 :]
    notes: list[str] = []
    skipped = tuple(
        SkippedLine(line=row.line, text=row.raw, why="title above the header")
        for row in rows[:start]
    )
    if skipped:
        notes.append(
            f"skipped {len(skipped)} line(s) above the header (line {header.line}): titles or "
            f"notes such as {skipped[0].text!r}"
        )
    decided = has_header
    if decided is None:
        decided = not (detect and _typed_like_data(header, body))
        if not decided:
            notes.append(
                f"no header row: line {header.line} is typed like the data, so columns are "
                f"named column_1 ... column_{len(header.fields)} (has_header=True reads it as "
                "names)"
            )
    body_widths = Counter(len(row.fields) for row in body)
    if body_widths and len(header.fields) >= 4 and len(body) >= 2:
        typical = body_widths.most_common(1)[0][0]
        if len(header.fields) > 2 * typical:
            notes.append(
                f"header row (line {header.line}) has {len(header.fields):,} fields but most "
                f"data rows have {typical}: check the header line, delimiter and line endings "
                "(rows with too few fields are quarantined)"
            )
    return TableStart(header.line, decided, skipped, width, tuple(notes))


def _title_lines(rows: list[NumberedRow], width: int) -> int:
    """How many leading rows are titles above the real header (0 when unsure)."""
    if width < 2:
        return 0
    half = max(1, width // 2)
    start = next(
        (i for i, row in enumerate(rows) if len(row.fields) == width and row.filled > half), 0
    )
    if start == 0 or start > _MAX_TITLE_LINES:
        return 0
    if not all(row.filled <= half or _has_phrase(row) for row in rows[:start]):
        return 0
    last = max(i for i, row in enumerate(rows) if len(row.fields) == width)
    below = rows[start : last + 1]  # notes under the table are not held against it
    if sum(1 for row in below if len(row.fields) == width) < _MIN_CONSISTENCY * len(below):
        return 0
    if len(below) < 2 or _typed_like_data(rows[start], below[1:]):
        return 0
    return start


def _has_phrase(row: NumberedRow) -> bool:
    """Whether a cell holds several words (`Population by region`), as titles do."""
    return any(len(field.split()) >= 2 for field in row.fields)


def _is_prose(row: NumberedRow, half: int) -> bool:
    """A note such as `Source: Eurostat`: one text cell of several words (or a long one)."""
    if row.filled != 1 or row.filled > half:
        return False
    text = _joined(row)
    return _cell_class(text) == "text" and (" " in text or len(text) >= 12)


def _joined(row: NumberedRow) -> str:
    return " ".join(field.strip() for field in row.fields if field.strip())


def split_notes_below(
    quarantine: pl.DataFrame, last_data_line: int | None, dialect: Dialect, width: int
) -> tuple[pl.DataFrame, tuple[SkippedLine, ...]]:
    """Take notes under the table out of the quarantine, as skipped lines.

    Notes are the trailing `too_few_fields` records after the last row that hold one cell of
    prose (`Source: Eurostat`).
    """
    if quarantine.is_empty() or width < 2:
        return quarantine, ()
    ordered = quarantine.sort("_source_line")
    after = ordered.filter(pl.col("_source_line") > (last_data_line or 0))
    half = max(1, width // 2)
    notes: list[SkippedLine] = []
    for line, raw, reason in reversed(after.select("_source_line", "_raw", "_reason").rows()):
        rows = numbered_rows(raw + "\n", dialect, 2)
        if reason != "too_few_fields" or len(rows) != 1 or not _is_prose(rows[0], half):
            break
        notes.append(SkippedLine(line=int(line), text=raw, why="note below the table"))
    if not notes:
        return quarantine, ()
    lines = [note.line for note in notes]
    kept = quarantine.filter(~pl.col("_source_line").is_in(lines))
    return kept, tuple(reversed(notes))


def notes_below_note(skipped: tuple[SkippedLine, ...]) -> tuple[str, ...]:
    """The report note for notes taken from under the table (none when there were none)."""
    if not skipped:
        return ()
    return (
        f"skipped {len(skipped)} note line(s) below the table (from line {skipped[0].line}), "
        f"such as {skipped[0].text!r}",
    )
