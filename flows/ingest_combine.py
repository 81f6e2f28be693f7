"""Combine per-file ingest parts (one folder per file of a glob) into the run's `ingest/` folder.

Prefect-free: `flows.fanout` ingests each file of a glob as its own task (its own cache key,
its own worker), then calls `combine_parts`. The parts are stacked in file order with
`_source_file` on every row; every quarantined row keeps its file and line. Files whose
columns differ are reconciled, never a crash: a column missing from a file is null there, a
column whose type differs between files takes the common numeric type or falls back to text,
and each difference is one note in the combined `ingest.json` (and so in the decision log).
The ledger is checked: rows read (the sum over files) = rows ok + rows quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from flows.files import INGEST, write_json, write_parquet
from flows.ingest_outputs import ingest_json, ingest_summary
from pipelines.errors import ThresherError
from pipelines.ingest import IngestReport
from pipelines.ingest.models import CELL_ISSUES_SCHEMA, QUARANTINE_SCHEMA, ColumnReport
from pipelines.stage import StageSummary

__all__ = ["FILE_COLUMN", "CombinedIngest", "IngestPart", "combine_parts", "reconcile_schemas"]

FILE_COLUMN = "_source_file"
SOURCE_LINES = "source_lines.parquet"


class LedgerMismatchError(ThresherError):
    """The combined rows do not add up to the rows the files read (a bug, never bad data)."""


@dataclass(frozen=True)
class IngestPart:
    """One file's ingest folder (data, quarantine, cell issues, ingest.json, source lines)."""

    file: str
    folder: Path

    def report(self) -> IngestReport:
        """The file's own ingest report."""
        text = (self.folder / INGEST.report).read_text(encoding="utf-8")
        return IngestReport.model_validate_json(text)


@dataclass(frozen=True)
class CombinedIngest:
    """The combined report and the folder holding the combined files."""

    report: IngestReport
    out_dir: Path
    schema_notes: tuple[str, ...]

    def stage_summary(self, run_dir: Path) -> StageSummary:
        """Ingest's line on the run page, for the whole glob."""
        report = self.report
        prefix = f"{len(report.files)} files, "
        return ingest_summary(report, self.out_dir / INGEST.report, run_dir, prefix=prefix)


def _numeric_supertype(dtypes: list[pl.DataType]) -> pl.DataType | None:
    """The common numeric type of `dtypes` (ints widen, any float gives Float64), else None."""
    if not all(d.is_numeric() for d in dtypes):
        return None
    if any(d.is_float() for d in dtypes):
        return pl.Float64()
    return pl.Int64()


def reconcile_schemas(
    schemas: list[tuple[str, pl.Schema]],
) -> tuple[dict[str, pl.DataType], list[str]]:
    """One schema for files whose columns differ, plus one note per difference.

    Columns keep the first file's order, then new ones in the order they appear. A column a
    file lacks is null there; a column whose type differs takes the common numeric type, or
    String when the types do not mix (the values are kept as text, not lost).
    """
    seen: dict[str, dict[str, pl.DataType]] = {}
    for file, schema in schemas:
        for name, dtype in schema.items():
            seen.setdefault(name, {})[file] = dtype
    files = [file for file, _ in schemas]
    target: dict[str, pl.DataType] = {}
    notes: list[str] = []
    for name, by_file in seen.items():
        dtypes = list(by_file.values())
        if all(d == dtypes[0] for d in dtypes):
            target[name] = dtypes[0]
        else:
            common = _numeric_supertype(dtypes)
            target[name] = common if common is not None else pl.String()
            spelled = ", ".join(f"{d} in {Path(f).name}" for f, d in by_file.items())
            notes.append(
                f"files disagree on the type of `{name}` ({spelled}): combined as "
                f"{target[name]}; fix the odd file out or set the type in the schema"
            )
        missing = [Path(f).name for f in files if f not in by_file]
        if missing and not name.startswith("_source_"):
            notes.append(
                f"column `{name}` is missing from {len(missing)} of {len(files)} files "
                f"({', '.join(missing)}): null there; check that the files share one header"
            )
    return target, notes


def _aligned(frame: pl.DataFrame, target: dict[str, pl.DataType]) -> pl.DataFrame:
    """`frame` with exactly the `target` columns, in order, cast (text for mixed types)."""
    columns = []
    for name, dtype in target.items():
        if name not in frame.columns:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
        elif frame.schema[name] == dtype:
            columns.append(pl.col(name))
        elif dtype == pl.String:
            columns.append(pl.col(name).cast(pl.String).alias(name))
        else:
            columns.append(pl.col(name).cast(dtype).alias(name))
    return frame.select(columns)


def _column_reports(data: pl.DataFrame, reports: list[IngestReport]) -> list[ColumnReport]:
    nulls = data.null_count().row(0, named=True) if data.width else {}
    by_name: dict[str, list[ColumnReport]] = {}
    for report in reports:
        for column in report.columns:
            by_name.setdefault(column.name, []).append(column)
    out = []
    for name, dtype in data.schema.items():
        if name.startswith("_source_"):
            continue
        parts = by_name.get(name, [])
        repairs: dict[str, int] = {}
        for part in parts:
            for kind, count in part.repairs.items():
                repairs[kind] = repairs.get(kind, 0) + count
        notes = list(dict.fromkeys(note for part in parts for note in part.notes))
        out.append(
            ColumnReport(
                name=name,
                original_name=parts[0].original_name if parts else name,
                dtype=str(dtype),
                null_count=int(nulls.get(name, 0)),
                repairs=dict(sorted(repairs.items())),
                cells_nulled=sum(part.cells_nulled for part in parts),
                notes=notes,
            )
        )
    return out


def _combined_report(
    source: str,
    parts: list[IngestPart],
    reports: list[IngestReport],
    data: pl.DataFrame,
    quarantine: pl.DataFrame,
    cell_issues: int,
    schema_notes: list[str],
) -> IngestReport:
    reasons: dict[str, int] = {}
    mapping: dict[str, str] = {}
    for report in reports:
        for reason, count in report.quarantine_reasons.items():
            reasons[reason] = reasons.get(reason, 0) + count
        for original, new in report.header_mapping.items():
            mapping.setdefault(original, new)
    first = reports[0]
    notes = [
        f"{Path(part.file).name}: {note}"
        for part, report in zip(parts, reports, strict=True)
        for note in report.notes
    ]
    return IngestReport(
        source=source,
        format=first.format,
        encoding=first.encoding,
        delimiter=first.delimiter,
        files=[file for report in reports for file in report.files],
        rows_read=sum(r.rows_read for r in reports),
        rows_ok=data.height,
        rows_quarantined=quarantine.height,
        blank_lines_skipped=sum(r.blank_lines_skipped for r in reports),
        quarantine_reasons=dict(sorted(reasons.items())),
        cell_issues=cell_issues,
        columns=_column_reports(data, reports),
        header_mapping=mapping,
        notes=[
            f"ingested as {len(parts)} files, one task each, combined in file order",
            *schema_notes,
            *notes,
        ],
        dialect=first.dialect,
        encoding_confidence=first.encoding_confidence,
        has_header=first.has_header,
        skipped_lines=[line for r in reports for line in r.skipped_lines],
    )


def combine_parts(
    parts: list[IngestPart], source: str, out_dir: Path, *, keep_file_column: bool = True
) -> CombinedIngest:
    """Stack the parts' files into `out_dir` (data, quarantine, cell issues, source lines, json).

    Collects: every part's data is read into memory once (the combined table is written).

    Raises
    ------
    LedgerMismatchError
        When rows read over all files differ from rows ok + rows quarantined.
    """
    reports = [part.report() for part in parts]
    frames = []
    for part in parts:
        frame = pl.read_parquet(part.folder / INGEST.data)
        if FILE_COLUMN not in frame.columns:
            frame = frame.with_columns(pl.lit(part.file, dtype=pl.String).alias(FILE_COLUMN))
        frames.append(frame)
    schemas = [(part.file, frame.schema) for part, frame in zip(parts, frames, strict=True)]
    target, schema_notes = reconcile_schemas(schemas)
    if not keep_file_column:
        target.pop(FILE_COLUMN, None)
    data = pl.concat([_aligned(frame, target) for frame in frames])
    quarantine = pl.concat(
        [pl.read_parquet(p.folder / INGEST.quarantine).cast(QUARANTINE_SCHEMA) for p in parts]
    )
    issues = pl.concat(
        [pl.read_parquet(p.folder / INGEST.cell_issues).cast(CELL_ISSUES_SCHEMA) for p in parts]
    )
    read = sum(r.rows_read for r in reports)
    if read != data.height + quarantine.height:
        msg = (
            f"combining {len(parts)} ingested files lost rows: {read:,} read but "
            f"{data.height:,} ok + {quarantine.height:,} quarantined; report this as a bug"
        )
        raise LedgerMismatchError(msg)
    report = _combined_report(source, parts, reports, data, quarantine, issues.height, schema_notes)
    write_parquet(data, out_dir / INGEST.data)
    write_parquet(quarantine, out_dir / INGEST.quarantine)
    write_parquet(issues, out_dir / INGEST.cell_issues)
    lines = [p.folder / SOURCE_LINES for p in parts]
    if all(path.is_file() for path in lines):
        write_parquet(pl.concat([pl.read_parquet(path) for path in lines]), out_dir / SOURCE_LINES)
    write_json(ingest_json(report), out_dir / INGEST.report, sort_keys=False)
    return CombinedIngest(report, out_dir, tuple(schema_notes))
