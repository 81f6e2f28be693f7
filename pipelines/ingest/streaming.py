"""Stream a large source to Parquet in bounded memory, with the same repairs as `ingest`.

Two passes over the source's chunks: the first proposes and measures candidate types for every
text column (counts merge across chunks), the second converts each chunk with the decided plans
and appends it to the Parquet file. Memory is bounded by the chunk size, not the source size.
Delimited text and Parquet stream; other sources are read whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import polars as pl
import pyarrow.parquet as pq

from pipelines.ingest.api import FILE_COLUMN, build_report, ingest
from pipelines.ingest.columnwise import apply_by_column, chunk_evidence
from pipelines.ingest.delimited import LINE_COLUMN, TextChunk, TextLayout, read_text_table
from pipelines.ingest.headers import column_names
from pipelines.ingest.layout import notes_below_note, split_notes_below
from pipelines.ingest.models import (
    CELL_ISSUES_SCHEMA,
    QUARANTINE_SCHEMA,
    IngestOptions,
    IngestResult,
    SkippedLine,
)
from pipelines.ingest.raw import RawRead, empty_quarantine
from pipelines.ingest.repair import (
    ColumnPlan,
    Evidence,
    add_counts,
    clean_frame,
    decide,
    proposal_sample,
    propose_from_sample,
)
from pipelines.ingest.sources import Source, resolve_sources

__all__ = ["STREAM_CHUNK_BYTES", "ingest_to_parquet"]

STREAM_CHUNK_BYTES = 32 * 1024 * 1024
"""Default chunk for streaming: peak memory is a small multiple of this, not of the file."""


@dataclass(frozen=True)
class _Layout:
    """What a streamed source is, learnt before its first chunk."""

    original_names: tuple[str, ...]
    column_names: tuple[str, ...]
    format: str
    encoding: str | None
    delimiter: str | None
    leading_blank_lines: int
    notes: tuple[str, ...]
    text: TextLayout | None = None


Opener = Callable[[], tuple[_Layout, Iterator[TextChunk]]]


def ingest_to_parquet(
    source: str | os.PathLike[str], out_path: Path, *, options: IngestOptions | None = None
) -> IngestResult:
    """Ingest `source` into `out_path` (Parquet); the result's `data` is only its first rows.

    A single delimited text or Parquet source is streamed in two passes; other sources are
    read in memory and written once. `quarantine` and `cell_issues` are returned whole.
    """
    options = options or IngestOptions(chunk_bytes=STREAM_CHUNK_BYTES)
    sources = resolve_sources(source, options)
    if len(sources) == 1 and sources[0].kind == "text":
        return _stream(_text_opener(sources[0], options), sources[0].display, out_path, options)
    if len(sources) == 1 and sources[0].kind == "parquet":
        path = Path(sources[0].location)
        return _stream(_parquet_opener(path, options), str(path), out_path, options)
    result = ingest(source, options=options)
    result.data.write_parquet(out_path)
    return result


def _text_opener(src: Source, options: IngestOptions) -> Opener:
    assert src.opener is not None
    text_opener = src.opener

    def open_chunks() -> tuple[_Layout, Iterator[TextChunk]]:
        layout, chunks = read_text_table(text_opener, src.display, options, src.default_delimiter)
        return (
            _Layout(
                layout.original_names,
                layout.column_names,
                layout.format,
                layout.encoding.codec,
                layout.delimiter,
                layout.leading_blank_lines,
                layout.notes,
                layout,
            ),
            chunks,
        )

    return open_chunks


def _parquet_opener(path: Path, options: IngestOptions) -> Opener:
    def open_chunks() -> tuple[_Layout, Iterator[TextChunk]]:
        parquet = pq.ParquetFile(path)
        originals = tuple(parquet.schema_arrow.names)
        names = tuple(column_names(list(originals), normalize=options.normalize_headers))
        rows = max(parquet.metadata.num_rows, 1)
        size = sum(
            parquet.metadata.row_group(i).total_byte_size
            for i in range(parquet.metadata.num_row_groups)
        )
        batch_rows = max(1024, int(options.chunk_bytes / max(size / rows, 1.0)))

        def chunks() -> Iterator[TextChunk]:
            line = 1
            for batch in parquet.iter_batches(batch_size=batch_rows):
                frame = pl.DataFrame(pl.from_arrow(batch)).rename(
                    dict(zip(originals, names, strict=True))
                )
                lines = pl.int_range(line, line + frame.height, dtype=pl.Int64, eager=True)
                line += frame.height
                yield TextChunk(frame.with_columns(lines.alias(LINE_COLUMN)), empty_quarantine(), 0)

        layout = _Layout(originals, names, "parquet", None, None, 0, ())
        return layout, chunks()

    return open_chunks


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c, t in frame.schema.items() if t == pl.String and not c.startswith("_source_")]


def _measure_all(
    open_chunks: Opener, options: IngestOptions
) -> tuple[_Layout, dict[str, list[str]], Evidence, list[pl.DataFrame], int, int | None]:
    """Pass 1: propose from the first chunk, measure every chunk, keep the quarantine."""
    layout, chunks = open_chunks()
    proposals: dict[str, list[str]] | None = None
    evidence = Evidence()
    quarantines: list[pl.DataFrame] = []
    blank = layout.leading_blank_lines
    last_line: int | None = None
    for chunk in chunks:
        if chunk.data.height:
            last_line = cast("int", chunk.data.get_column(LINE_COLUMN).max())
        if proposals is None:
            columns = _text_columns(chunk.data)
            sample, _ = clean_frame(proposal_sample(chunk.data), columns, options)
            proposals = (
                propose_from_sample(sample, columns, options) if options.repair_values else {}
            )
        if proposals:
            evidence.merge(chunk_evidence(chunk.data, proposals, options))
        quarantines.append(chunk.quarantine)
        blank += chunk.blank_lines
    return layout, proposals or {}, evidence, quarantines, blank, last_line


def _stream(
    open_chunks: Opener, display: str, out_path: Path, options: IngestOptions
) -> IngestResult:
    layout, proposals, evidence, quarantines, blank, last_line = _measure_all(open_chunks, options)
    plans: dict[str, ColumnPlan] = decide(proposals, evidence, options)
    _, chunks = open_chunks()
    writer: pq.ParquetWriter | None = None
    issues: list[pl.DataFrame] = []
    counts: dict[str, dict[str, int]] = {}
    totals: dict[str, dict[str, int]] = {"nulls": {}}
    head: pl.DataFrame | None = None
    rows = 0
    try:
        for chunk in chunks:  # pass 2: convert and append
            located = chunk.data.with_columns(pl.lit(display, dtype=pl.String).alias(FILE_COLUMN))
            typed, chunk_issues, chunk_counts = apply_by_column(located, plans, options)
            typed = typed.drop(FILE_COLUMN)
            if not options.add_line_numbers:
                typed = typed.drop(LINE_COLUMN)
            table = typed.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(out_path, table.schema)
                head = typed.head(1000)
            writer.write_table(table.cast(writer.schema))
            rows += typed.height
            issues.append(chunk_issues)
            add_counts(totals, {"nulls": typed.null_count().row(0, named=True)})
            add_counts(counts, chunk_counts)
    finally:
        if writer is not None:
            writer.close()
    if head is None:  # no data rows (e.g. a header-only file): write the empty table
        head = pl.DataFrame(schema=dict.fromkeys(layout.column_names, pl.String))
        head.write_parquet(out_path)
    quarantine = (
        pl.concat(quarantines).cast(QUARANTINE_SCHEMA) if quarantines else empty_quarantine()
    )
    text = layout.text
    notes_below: tuple[SkippedLine, ...] = ()
    if text is not None:
        quarantine, notes_below = split_notes_below(
            quarantine, last_line, text.dialect, text.start.width
        )
    cell_issues = (
        pl.concat(issues).cast(CELL_ISSUES_SCHEMA)
        if issues
        else pl.DataFrame(schema=CELL_ISSUES_SCHEMA)
    )
    raw = RawRead(
        data=head,
        line_numbers=pl.Series([], dtype=pl.Int64),
        source_file=display,
        format=layout.format,
        quarantine=quarantine,
        encoding=layout.encoding,
        delimiter=layout.delimiter,
        blank_lines=blank,
        notes=(*layout.notes, *notes_below_note(notes_below), "streamed to Parquet in chunks"),
        dialect=text.dialect_report() if text else None,
        encoding_confidence=text.encoding.confidence if text else None,
        has_header=text.start.has_header if text else None,
        skipped_lines=(*text.start.skipped, *notes_below) if text else (),
    )
    report = build_report(
        display,
        [raw],
        head,
        quarantine,
        cell_issues,
        list(zip(layout.original_names, layout.column_names, strict=True)),
        plans,
        counts,
        rows_ok=rows,
        null_counts={name: int(value) for name, value in totals["nulls"].items()},
    )
    return IngestResult(data=head, quarantine=quarantine, cell_issues=cell_issues, report=report)
