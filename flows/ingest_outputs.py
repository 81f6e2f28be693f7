"""Run ingest and write what was read: data, quarantine, cell issues and the JSON account.

Prefect-free: the CLI and `flows.tasks.ingest_task` both call `run_ingest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flows.files import INGEST, write_json, write_parquet
from pipelines.stage import StageSummary

if TYPE_CHECKING:  # importing the stage is slow; the CLI only needs it when a command runs
    import polars as pl

    from pipelines.ingest import IngestOptions, IngestReport, IngestResult

__all__ = [
    "INGEST_FILES",
    "IngestOutputs",
    "ingest_json",
    "ingest_summary",
    "run_ingest",
    "write_ingest_outputs",
]

LINE_COLUMN = "_source_line"
INGEST_FILES = (INGEST.data, INGEST.quarantine, INGEST.cell_issues, INGEST.report)


@dataclass(frozen=True)
class IngestOutputs:
    """What ingest read (the result, with its frames) and where its four files are."""

    result: IngestResult
    paths: dict[str, Path]
    source_lines: pl.Series | None = None
    """File line of every row (when asked for with `source_lines=True`), for validation."""

    @property
    def report(self) -> IngestReport:
        """The ingest report."""
        return self.result.report

    def stage_summary(self, run_dir: Path) -> StageSummary:
        """Ingest's line on the run page (links relative to `run_dir`)."""
        return ingest_summary(self.report, self.paths[INGEST.report], run_dir)


def ingest_summary(
    report: IngestReport, report_path: Path, run_dir: Path, *, prefix: str = ""
) -> StageSummary:
    """Ingest's line on the run page; `prefix` opens the headline (e.g. `3 files, `)."""
    return StageSummary(
        name="ingest",
        rows_in=report.rows_read,
        rows_out=report.rows_ok,
        rows_set_aside=report.rows_quarantined,
        headline=(
            f"{prefix}{report.rows_read:,} rows read: {report.rows_ok:,} ok, "
            f"{report.rows_quarantined:,} quarantined, {report.cell_issues:,} cells nulled."
        ),
        links={"Ingest account (JSON)": report_path.relative_to(run_dir).as_posix()},
    )


def write_ingest_outputs(
    result: IngestResult, out_dir: Path, *, data_written: bool = False
) -> dict[str, Path]:
    """Write the four ingest files into `out_dir` (created); return their paths by name."""
    paths = {name: out_dir / name for name in INGEST_FILES}
    if not data_written:
        write_parquet(result.data, paths[INGEST.data])
    write_parquet(result.quarantine, paths[INGEST.quarantine])
    write_parquet(result.cell_issues, paths[INGEST.cell_issues])
    write_json(ingest_json(result.report), paths[INGEST.report], sort_keys=False)
    return paths


def run_ingest(
    source: str,
    out_dir: Path,
    *,
    options: IngestOptions | None = None,
    stream: bool = False,
    source_lines: bool = False,
) -> IngestOutputs:
    """Ingest `source` (streamed to `out_dir/data.parquet` when `stream`) and write the files.

    With `stream`, the result's `data` holds only the first rows; the whole table is on disk.
    `source_lines` (in memory only) keeps every row's file line beside the data, so later
    stages can cite it; the data keeps `_source_line` only if `options.add_line_numbers`.
    """
    import dataclasses

    from pipelines.ingest import IngestOptions, ingest, ingest_to_parquet

    options = options or IngestOptions()
    if stream:
        out_dir.mkdir(parents=True, exist_ok=True)
        result = ingest_to_parquet(source, out_dir / INGEST.data, options=options)
        return IngestOutputs(result, write_ingest_outputs(result, out_dir, data_written=True))
    if not source_lines:
        result = ingest(source, options=options)
        return IngestOutputs(result, write_ingest_outputs(result, out_dir))
    result = ingest(source, options=options.model_copy(update={"add_line_numbers": True}))
    lines = result.data.get_column(LINE_COLUMN)
    if not options.add_line_numbers:  # added only so later stages can cite lines
        result = dataclasses.replace(result, data=result.data.drop(LINE_COLUMN))
    return IngestOutputs(result, write_ingest_outputs(result, out_dir), source_lines=lines)


def ingest_json(report: IngestReport) -> dict[str, object]:
    """The `ingest.json` payload: the report, with the row counts first for humans."""
    payload = report.to_json_dict()
    ordered = {key: payload.pop(key) for key in ("rows_read", "rows_ok", "rows_quarantined")}
    return {**ordered, **payload}
