"""Write an ingest result to a folder: data, quarantine, cell issues and the JSON account."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flows.files import write_json

if TYPE_CHECKING:  # importing the stage is slow; the CLI only needs it when a command runs
    from pipelines.ingest import IngestReport, IngestResult

__all__ = ["INGEST_FILES", "write_ingest_outputs"]

INGEST_FILES = ("data.parquet", "quarantine.parquet", "cell_issues.parquet", "ingest.json")


def write_ingest_outputs(
    result: IngestResult, out_dir: Path, *, data_written: bool = False
) -> dict[str, Path]:
    """Write the four ingest files into `out_dir` (created); return their paths by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in INGEST_FILES}
    if not data_written:
        result.data.write_parquet(paths["data.parquet"])
    result.quarantine.write_parquet(paths["quarantine.parquet"])
    result.cell_issues.write_parquet(paths["cell_issues.parquet"])
    write_json(ingest_json(result.report), paths["ingest.json"], sort_keys=False)
    return paths


def ingest_json(report: IngestReport) -> dict[str, object]:
    """The `ingest.json` payload: the report, with the row counts first for humans."""
    payload = report.to_json_dict()
    ordered = {key: payload.pop(key) for key in ("rows_read", "rows_ok", "rows_quarantined")}
    return {**ordered, **payload}
