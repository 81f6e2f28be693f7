"""What a reader hands to the repair step: the frame as the source has it, plus what failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.errors import SourceError
from pipelines.ingest.models import QUARANTINE_SCHEMA, DialectReport, SkippedLine

__all__ = ["RawRead", "empty_quarantine", "raise_if_empty", "row_numbers"]


def empty_quarantine() -> pl.DataFrame:
    """A quarantine frame with no rows and the fixed quarantine schema."""
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


def row_numbers(count: int, start: int = 1) -> pl.Series:
    """Consecutive 1-based row numbers, the `line_numbers` of a `RawRead` without lines."""
    return pl.Series("line_number", range(start, start + count), dtype=pl.Int64)


def raise_if_empty(data: pl.DataFrame, path: Path | str, what_to_do: str) -> None:
    """Raise `SourceError` when a source has neither rows nor columns."""
    if data.width == 0 and data.height == 0:
        msg = f"{path}: file is empty (no columns and no rows); {what_to_do}"
        raise SourceError(msg)


@dataclass(frozen=True)
class RawRead:
    """One source read as-is: original column names, String where the format is untyped.

    `line_numbers` holds, per data row, the source's own line (text) or row number (Excel,
    databases: 1-based row of the result), so later steps can point a user at the record.
    """

    data: pl.DataFrame
    line_numbers: pl.Series
    source_file: str
    format: str
    quarantine: pl.DataFrame = field(default_factory=empty_quarantine)
    encoding: str | None = None
    delimiter: str | None = None
    blank_lines: int = 0
    notes: tuple[str, ...] = ()
    original_names: tuple[str, ...] = ()
    """Set when `data`'s columns were already renamed (text reader): the names as in the file."""
    dialect: DialectReport | None = None
    encoding_confidence: float | None = None
    has_header: bool | None = None
    skipped_lines: tuple[SkippedLine, ...] = ()

    @property
    def rows_read(self) -> int:
        """Every record the reader saw: the ones it could read plus the quarantined ones."""
        return self.data.height + self.quarantine.height
