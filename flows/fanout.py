"""Per-file ingestion of a glob: one task per file, submitted together, then a cheap combine.

`ingest_files_step(run)` submits `ingest_file_task` once per file of the config's glob (all at
once, so the task runner runs them concurrently: threads, or different Dask workers), each
writing `ingest-parts/<file-stem>-<hash>/` in the run folder and cached on that one file's
fingerprint, so a changed file re-ingests only itself. `ingest_combine_task` then stacks the
parts into `ingest/` (see `flows.ingest_combine`), which is what the later stages read.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from prefect import task
from prefect.context import TaskRunContext

from flows.dask_map import worker_address
from flows.decisions import ingest_decisions
from flows.files import INGEST, write_parquet
from flows.fingerprints import cache_key, is_remote_source, source_files
from flows.ingest_combine import SOURCE_LINES, IngestPart, combine_parts
from flows.ingest_outputs import run_ingest
from flows.run_context import FlowRun, StageCall
from flows.run_record import StageDone
from flows.task_support import PERSIST, publish_markdown
from pipelines.ingest import IngestOptions

__all__ = [
    "PARTS_FOLDER",
    "fans_out",
    "ingest_combine_task",
    "ingest_file_task",
    "ingest_files_step",
    "part_name",
]

PARTS_FOLDER = "ingest-parts"
"""Folder of the run that holds one ingest folder per file of a glob."""

def fans_out(source: str) -> bool:
    """Whether `source` is a local glob naming two or more files (ingested one task each)."""
    if is_remote_source(source) or not any(ch in source for ch in "*?["):
        return False
    return len(source_files(source)) > 1


def part_name(file: Path) -> str:
    """A stable folder name for one file of a glob: its stem plus a hash of its path."""
    stem = re.sub(r"[^0-9A-Za-z_.-]", "_", file.stem)[:40] or "file"
    digest = hashlib.sha256(str(file).encode()).hexdigest()[:8]
    return f"{stem}-{digest}"


def _file_key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:
    file = Path(str(parameters["file"]))
    return cache_key(
        context.task.name,
        {"file": file},
        {"file": str(file), "part": parameters["part"], "options": parameters["options"]},
    )


@task(name="ingest-file", cache_key_fn=_file_key, log_prints=True, **PERSIST)
def ingest_file_task(file: str, options: IngestOptions, run_dir: Path, part: str) -> StageDone:
    """Ingest one file of a glob into `run_dir/ingest-parts/<part>` (with its source lines)."""
    out_dir = run_dir / PARTS_FOLDER / part
    outputs = run_ingest(file, out_dir, options=options, source_lines=True)
    if outputs.source_lines is not None:
        write_parquet(outputs.source_lines.to_frame(), out_dir / SOURCE_LINES)
    report = outputs.report
    worker = worker_address()
    where = f" (on Dask worker {worker})" if worker else ""
    print(f"ingest {Path(file).name}: {report.rows_read:,} rows read, {report.rows_ok:,} ok{where}")
    summary = outputs.stage_summary(run_dir)
    summary = summary.model_copy(
        update={
            "name": f"ingest {Path(file).name}",
            "headline": summary.headline + where,
            "links": {},
        }
    )
    return StageDone(
        stage=f"ingest {Path(file).name}",
        folder=str(out_dir),
        summary=summary,
        facts={"file_read": report.rows_read, "file_ok": report.rows_ok},
    )


def _combine_key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:
    folders: dict[str, Path | None] = {
        f"part:{i}": Path(folder) for i, (_, folder) in enumerate(parameters["parts"])
    }
    files = [file for file, _ in parameters["parts"]]
    return cache_key(context.task.name, folders, {"source": parameters["source"], "files": files})


@task(name="ingest", cache_key_fn=_combine_key, log_prints=True, **PERSIST)
def ingest_combine_task(parts: list[tuple[str, Path]], source: str, run_dir: Path) -> StageDone:
    """Stack the per-file parts into `run_dir/ingest` (the files every later stage reads)."""
    from reports.ingest import render_ingest_markdown

    combined = combine_parts(
        [IngestPart(file, Path(folder)) for file, folder in parts],
        source,
        run_dir / INGEST.folder,
    )
    report = combined.report
    publish_markdown(render_ingest_markdown(report), "ingest-summary")
    print(
        f"ingest: {len(parts)} files, {report.rows_read:,} rows read, {report.rows_ok:,} ok, "
        f"{report.rows_quarantined:,} quarantined"
    )
    return StageDone(
        stage="ingest",
        folder=str(combined.out_dir),
        summary=combined.stage_summary(run_dir),
        facts={"read": report.rows_read, "ok": report.rows_ok, "files": len(parts)},
        decisions=ingest_decisions(report),
    )


def ingest_files_step(run: FlowRun) -> Path:
    """Ingest every file of the config's glob as its own task, then combine; the data file."""
    config = run.config
    files = source_files(config.source)
    names = [file.name for file in files]
    calls = [
        StageCall(
            f"ingest {file.name if names.count(file.name) == 1 else file}",
            ingest_file_task,
            (str(file), config.ingest, run.run_dir, part_name(file)),
        )
        for file in files
    ]
    done = run.stages(calls)
    parts = [(str(file), Path(d.folder)) for file, d in zip(files, done, strict=True)]
    run.stage("ingest", ingest_combine_task, parts, config.source, run.run_dir)
    return run.path("ingest", INGEST.data)
