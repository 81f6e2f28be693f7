"""Stream a large delimited text file to Parquet in bounded memory, with the same repairs.

Two passes over the file's chunks: the first proposes and measures candidate types for every
column (counts merge across chunks), the second converts each chunk with the decided plans and
appends it to the Parquet file. Memory is bounded by the chunk size, not the file size.
"""

from __future__ import annotations

import os
from pathlib import Path
from time import perf_counter

import polars as pl
import pyarrow.parquet as pq

from pipelines.errors import IngestError
from pipelines.ingest.api import FILE_COLUMN, build_report, ingest
from pipelines.ingest.delimited import LINE_COLUMN, TextChunk, read_text_table
from pipelines.ingest.models import (
    CELL_ISSUES_SCHEMA,
    QUARANTINE_SCHEMA,
    IngestOptions,
    IngestResult,
)
from pipelines.ingest.raw import RawRead
from pipelines.ingest.repair import (
    ColumnPlan,
    Evidence,
    apply_plans,
    clean_frame,
    decide,
    measure,
    parse_candidates,
    propose,
)
from pipelines.ingest.sources import Source, resolve_sources

__all__ = ["STREAM_CHUNK_BYTES", "ingest_to_parquet"]

STREAM_CHUNK_BYTES = 32 * 1024 * 1024
"""Default chunk for streaming: peak memory is a small multiple of this, not of the file."""


def ingest_to_parquet(
    source: str | os.PathLike[str], out_path: Path, options: IngestOptions | None = None
) -> IngestResult:
    """Ingest `source` into `out_path` (Parquet); the result's `data` is only its first rows.

    A single delimited text file is streamed in two passes; other sources are read in memory
    and written once. `quarantine` and `cell_issues` are returned whole (they are small).
    """
    options = options or IngestOptions(chunk_bytes=STREAM_CHUNK_BYTES)
    sources = resolve_sources(source, options)
    if len(sources) != 1 or sources[0].kind != "text":
        result = ingest(source, options)
        result.data.write_parquet(out_path)
        return result
    return _stream(sources[0], out_path, options, str(source))


def _with_location(chunk: TextChunk, source_file: str) -> pl.DataFrame:
    return chunk.data.with_columns(pl.lit(source_file, dtype=pl.String).alias(FILE_COLUMN))


def _stream(src: Source, out_path: Path, options: IngestOptions, label: str) -> IngestResult:
    started = perf_counter()
    assert src.opener is not None
    layout, chunks = read_text_table(src.opener, src.display, options, src.default_delimiter)
    columns = list(layout.column_names)
    proposals: dict[str, list[str]] | None = None
    evidence = Evidence()
    quarantines: list[pl.DataFrame] = []
    blank = layout.leading_blank_lines
    for chunk in chunks:  # pass 1: measure
        cleaned, _ = clean_frame(chunk.data, columns, options)
        if proposals is None:
            proposals = propose(cleaned, columns, options) if options.repair_values else {}
        evidence.merge(measure(parse_candidates(cleaned, proposals), proposals))
        quarantines.append(chunk.quarantine)
        blank += chunk.blank_lines
    plans: dict[str, ColumnPlan] = decide(proposals or {}, evidence, options)
    _, chunks = read_text_table(src.opener, src.display, options, src.default_delimiter)
    writer: pq.ParquetWriter | None = None
    issues: list[pl.DataFrame] = []
    counts: dict[str, dict[str, int]] = {}
    head: pl.DataFrame | None = None
    nulls: dict[str, int] = {}
    rows = 0
    try:
        for chunk in chunks:  # pass 2: convert and append
            typed, chunk_issues, chunk_counts = apply_plans(
                _with_location(chunk, src.display), plans, options
            )
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
            for name, value in typed.null_count().row(0, named=True).items():
                nulls[name] = nulls.get(name, 0) + int(value)
            for name, per in chunk_counts.items():
                mine = counts.setdefault(name, {})
                for kind, value in per.items():
                    mine[kind] = mine.get(kind, 0) + value
    finally:
        if writer is not None:
            writer.close()
    if head is None:
        msg = f"{src.display}: produced no chunks; the file may have changed while reading"
        raise IngestError(msg)
    quarantine = pl.concat(quarantines).cast(QUARANTINE_SCHEMA)
    cell_issues = (
        pl.concat(issues).cast(CELL_ISSUES_SCHEMA)
        if issues
        else pl.DataFrame(schema=CELL_ISSUES_SCHEMA)
    )
    raw = RawRead(
        data=head,
        line_numbers=pl.Series([], dtype=pl.Int64),
        source_file=src.display,
        format="csv" if layout.delimiter == "," else "delimited",
        quarantine=quarantine,
        encoding=layout.encoding.codec,
        delimiter=layout.delimiter,
        blank_lines=blank,
        notes=(
            f"encoding {layout.encoding.codec}: {layout.encoding.reason}",
            "streamed to Parquet in chunks",
        ),
    )
    report = build_report(
        label,
        [raw],
        head,
        quarantine,
        cell_issues,
        list(zip(layout.original_names, columns, strict=True)),
        plans,
        counts,
        perf_counter() - started,
        rows_ok=rows,
        null_counts=nulls,
    )
    return IngestResult(data=head, quarantine=quarantine, cell_issues=cell_issues, report=report)
