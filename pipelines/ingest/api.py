"""`ingest`: any supported source in, a repaired polars frame out, and an account of everything."""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

import polars as pl

from pipelines.ingest.columnwise import repair_by_column
from pipelines.ingest.delimited import LINE_COLUMN, read_text_table
from pipelines.ingest.headers import column_names
from pipelines.ingest.layout import notes_below_note, split_notes_below
from pipelines.ingest.models import (
    CELL_ISSUES_SCHEMA,
    QUARANTINE_SCHEMA,
    ColumnReport,
    IngestOptions,
    IngestReport,
    IngestResult,
)
from pipelines.ingest.raw import RawRead, empty_quarantine
from pipelines.ingest.readers_columnar import (
    read_json_records,
    read_ndjson,
    read_parquet,
)
from pipelines.ingest.readers_database import read_postgres, read_sqlite
from pipelines.ingest.readers_excel import read_excel
from pipelines.ingest.repair import ColumnPlan
from pipelines.ingest.sources import Source, resolve_sources

__all__ = ["ingest"]

FILE_COLUMN = "_source_file"


_DEFAULT_OPTIONS = IngestOptions()


def ingest(
    source: str | os.PathLike[str], *, options: IngestOptions = _DEFAULT_OPTIONS
) -> IngestResult:
    """Read `source` (path, glob, archive or database URI) into memory, repaired and accounted for.

    Collects: the whole result is in memory. For text files larger than memory use
    `ingest_to_parquet`, which streams.
    """
    sources = resolve_sources(source, options)
    raws = [_read(src, options) for src in sources]
    frame, mapping = _combine(raws, options)
    string_columns = [
        c for c, t in frame.schema.items() if t == pl.String and not c.startswith("_source_")
    ]
    plans: dict[str, ColumnPlan] = {}
    counts: dict[str, dict[str, int]] = {}
    issues = pl.DataFrame(schema=CELL_ISSUES_SCHEMA)
    if options.repair_values and string_columns:
        frame, issues, plans, counts = repair_by_column(frame, string_columns, options)
    quarantine = pl.concat([r.quarantine for r in raws]).cast(QUARANTINE_SCHEMA)
    data = _finish(frame, options, multi=len(sources) > 1)
    report = build_report(
        str(source),
        raws,
        data,
        quarantine,
        issues,
        mapping,
        plans,
        counts,
    )
    return IngestResult(data=data, quarantine=quarantine, cell_issues=issues, report=report)


def _read(src: Source, options: IngestOptions) -> RawRead:
    """Read one source whole; text is read chunk by chunk and concatenated."""
    if src.kind == "text":
        assert src.opener is not None
        layout, chunks = read_text_table(src.opener, src.display, options, src.default_delimiter)
        parts = list(chunks)
        data = (
            pl.concat([p.data for p in parts])
            if parts
            else pl.DataFrame(
                schema={**dict.fromkeys(layout.column_names, pl.String), LINE_COLUMN: pl.Int64}
            )
        )
        quarantine = pl.concat([p.quarantine for p in parts]) if parts else empty_quarantine()
        last_line = data.get_column(LINE_COLUMN).max() if data.height else None
        quarantine, notes_below = split_notes_below(
            quarantine, cast("int | None", last_line), layout.dialect, layout.start.width
        )
        return RawRead(
            data=data.drop(LINE_COLUMN),
            line_numbers=data.get_column(LINE_COLUMN),
            source_file=src.display,
            format=layout.format,
            quarantine=quarantine,
            encoding=layout.encoding.codec,
            delimiter=layout.delimiter,
            blank_lines=layout.leading_blank_lines + sum(p.blank_lines for p in parts),
            notes=(*layout.notes, *notes_below_note(notes_below)),
            original_names=layout.original_names,
            dialect=layout.dialect_report(),
            encoding_confidence=layout.encoding.confidence,
            has_header=layout.start.has_header,
            skipped_lines=(*layout.start.skipped, *notes_below),
        )
    path = Path(src.location)
    readers = {
        "parquet": lambda: read_parquet(path, options),
        "ndjson": lambda: read_ndjson(path, options),
        "json": lambda: read_json_records(path, options),
        "excel": lambda: read_excel(path, options),
        "sqlite": lambda: read_sqlite(src.location, options),
        "postgres": lambda: read_postgres(src.location, options),
    }
    return readers[src.kind]()


def _combine(
    raws: list[RawRead], options: IngestOptions
) -> tuple[pl.DataFrame, list[tuple[str, str]]]:
    """Rename headers, attach source file and line, and stack the sources."""
    frames: list[pl.DataFrame] = []
    mapping: list[tuple[str, str]] = []
    for raw in raws:
        if raw.original_names:
            originals, names = list(raw.original_names), list(raw.data.columns)
        else:
            originals = list(raw.data.columns)
            names = column_names(originals, normalize=options.normalize_headers)
        if not mapping:
            mapping = list(zip(originals, names, strict=True))
        frames.append(
            raw.data.rename(dict(zip(raw.data.columns, names, strict=True))).with_columns(
                pl.lit(raw.source_file, dtype=pl.String).alias(FILE_COLUMN),
                raw.line_numbers.cast(pl.Int64).alias(LINE_COLUMN),
            )
        )
    frame = frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")
    return frame, mapping


def _finish(frame: pl.DataFrame, options: IngestOptions, *, multi: bool) -> pl.DataFrame:
    drop = [] if multi else [FILE_COLUMN]
    if not options.add_line_numbers:
        drop.append(LINE_COLUMN)
    return frame.drop(drop)


def build_report(
    source: str,
    raws: list[RawRead],
    data: pl.DataFrame,
    quarantine: pl.DataFrame,
    issues: pl.DataFrame,
    mapping: list[tuple[str, str]],
    plans: dict[str, ColumnPlan],
    counts: dict[str, dict[str, int]],
    *,
    rows_ok: int | None = None,
    null_counts: dict[str, int] | None = None,
) -> IngestReport:
    """Assemble the report; `rows_ok`/`null_counts` override `data` when it is only a head."""
    originals = {new: original for original, new in mapping}
    if null_counts is not None:
        nulls = null_counts
    else:
        nulls = data.null_count().row(0, named=True) if data.width else {}
    ok = data.height if rows_ok is None else rows_ok
    columns = [
        ColumnReport(
            name=name,
            original_name=originals.get(name, name),
            dtype=str(dtype),
            null_count=int(nulls.get(name, 0)),
            repairs=dict(sorted(counts.get(name, {}).items())),
            cells_nulled=counts.get(name, {}).get("value_nulled", 0),
            notes=list(plans[name].notes) if name in plans else [],
        )
        for name, dtype in data.schema.items()
        if not name.startswith("_source_")
    ]
    header_mapping: dict[str, str] = {}
    for position, (original, new) in enumerate(mapping, start=1):
        key = original if original not in header_mapping else f"{original} (column {position})"
        header_mapping[key] = new
    reasons = quarantine.get_column("_reason").value_counts(sort=True).iter_rows()
    first = raws[0]
    return IngestReport(
        source=source,
        format=first.format,
        encoding=first.encoding,
        delimiter=first.delimiter,
        files=[r.source_file for r in raws],
        rows_read=ok + quarantine.height,
        rows_ok=ok,
        rows_quarantined=quarantine.height,
        blank_lines_skipped=sum(r.blank_lines for r in raws),
        quarantine_reasons={str(k): int(v) for k, v in sorted(reasons)},
        cell_issues=issues.height,
        columns=columns,
        header_mapping=header_mapping,
        notes=[note for r in raws for note in r.notes],
        dialect=first.dialect,
        encoding_confidence=first.encoding_confidence,
        has_header=first.has_header,
        skipped_lines=[line for r in raws for line in r.skipped_lines],
    )
