"""Parameters and results of the ingest stage: frozen, JSON-able, documented."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from pipelines.stage import DisplaysReport

__all__ = [
    "CELL_ISSUES_SCHEMA",
    "DEFAULT_NULL_TOKENS",
    "QUARANTINE_SCHEMA",
    "ColumnReport",
    "DialectReport",
    "IngestOptions",
    "IngestReport",
    "IngestResult",
    "SkippedLine",
]

DEFAULT_NULL_TOKENS: tuple[str, ...] = (
    "",
    "na",
    "n/a",
    "null",
    "none",
    "?",
    "-",
    "nan",
    "#n/a",
    "nil",
    "missing",
    "--",
)

QUARANTINE_SCHEMA = pl.Schema(
    {
        "_source_file": pl.String(),
        "_source_line": pl.Int64(),
        "_raw": pl.String(),
        "_reason": pl.String(),
        "_detail": pl.String(),
    }
)
"""Rows that could not be read: where they were, their raw text, a reason code and detail."""

CELL_ISSUES_SCHEMA = pl.Schema(
    {
        "_source_file": pl.String(),
        "_source_line": pl.Int64(),
        "column": pl.String(),
        "value": pl.String(),
        "reason": pl.String(),
    }
)
"""Cells nulled because they did not fit their column's inferred type."""


class IngestOptions(BaseModel):
    """How to read a source; every field has a safe default, so `IngestOptions()` just works."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["csv", "parquet", "ndjson", "json", "excel", "sqlite"] | None = Field(
        None, description="Read the file as this format whatever its extension."
    )
    delimiter: str | None = Field(None, description="Field separator; sniffed when None.")
    quote_char: str = Field('"', description="Quote character for delimited text.")
    encoding: str | None = Field(None, description="Text encoding; detected when None.")
    has_header: bool = Field(True, description="First non-blank line holds column names.")
    null_tokens: tuple[str, ...] = Field(
        DEFAULT_NULL_TOKENS,
        description="Values read as null after trimming, compared case-insensitively.",
    )
    table: str | None = Field(None, description="Database table to read (SQLite/Postgres).")
    query: str | None = Field(None, description="SQL query to run (SQLite/Postgres).")
    sheet: str | None = Field(None, description="Excel sheet name; the first sheet when None.")
    normalize_headers: bool = Field(True, description="snake_case, de-duplicate, fill blanks.")
    repair_values: bool = Field(True, description="Trim, null tokens, numbers, booleans, dates.")
    type_tolerance: float = Field(
        0.02,
        ge=0.0,
        le=0.5,
        description=(
            "Largest share of a column's non-null values that may fail its inferred type; those "
            "cells are nulled and listed in cell_issues. Above it the column stays text."
        ),
    )
    date_order: Literal["auto", "dmy", "mdy"] = Field(
        "auto", description="Order of day and month in slash dates; auto decides per column."
    )
    add_line_numbers: bool = Field(False, description="Keep `_source_line` in the data.")
    chunk_bytes: int = Field(
        32 * 1024 * 1024,
        gt=0,
        description=(
            "Text is processed in chunks of about this size; each chunk's buffers are freed "
            "once its frame exists, so transient memory is a few times this."
        ),
    )
    escape_char: str | None = Field(
        None, description="Escape character (`\\` in `A\\,0`); detected when None."
    )
    detect_layout: bool = Field(
        True,
        description=(
            "Detect title lines above the header, notes below the table and files without a "
            "header row (when has_header is not given)."
        ),
    )
    two_digit_year_pivot: int = Field(
        69,
        ge=0,
        le=100,
        description="Two-digit years below this are 20xx, the others 19xx (`02` -> 2002).",
    )


class DialectReport(BaseModel):
    """How a delimited text file was split into fields, and how sure the detector was."""

    model_config = ConfigDict(frozen=True)

    delimiter: str
    quote_char: str | None
    escape_char: str | None = None
    skip_initial_space: bool = False
    detected: bool = Field(True, description="False when every part was given in the options.")
    confidence: float = Field(
        1.0, description="1 - (runner-up score / best score): 0 is a tie, 1 no contest."
    )
    runner_up: str | None = Field(None, description="The best dialect that read it differently.")


class SkippedLine(BaseModel):
    """A line that is neither a row nor a defect: a title above the header, a note below."""

    model_config = ConfigDict(frozen=True)

    line: int
    text: str
    why: str


class ColumnReport(BaseModel):
    """What ingest did to one column."""

    model_config = ConfigDict(frozen=True)

    name: str
    original_name: str
    dtype: str
    null_count: int
    repairs: dict[str, int] = Field(default_factory=dict)
    cells_nulled: int = 0
    notes: list[str] = Field(default_factory=list)


class IngestReport(BaseModel):
    """Counts for a whole ingest run; `rows_read == rows_ok + rows_quarantined` always.

    No timings: the same source gives byte-identical JSON (durations go to the run's `run.json`).
    """

    model_config = ConfigDict(frozen=True)

    schema_version: int = 1
    source: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    files: list[str] = Field(default_factory=list)
    rows_read: int
    rows_ok: int
    rows_quarantined: int
    blank_lines_skipped: int = 0
    quarantine_reasons: dict[str, int] = Field(default_factory=dict)
    cell_issues: int = 0
    columns: list[ColumnReport] = Field(default_factory=list)
    header_mapping: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    dialect: DialectReport | None = Field(None, description="Delimited text only.")
    encoding_confidence: float | None = Field(
        None, description="1.0 for a BOM, valid UTF-8 or a given encoding; else the detector's."
    )
    has_header: bool | None = Field(None, description="Whether a header row was read (text).")
    skipped_lines: list[SkippedLine] = Field(
        default_factory=list, description="Title lines above the header and notes below."
    )

    def to_json_dict(self) -> dict[str, object]:
        """JSON-native dict with sorted keys, for `ingest.json`."""
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class IngestResult(DisplaysReport):
    """The frame that was read, what could not be read, and the account of both."""

    data: pl.DataFrame
    quarantine: pl.DataFrame
    cell_issues: pl.DataFrame
    report: IngestReport
