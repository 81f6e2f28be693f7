"""The steps every flow starts with (ingest, then validation when configured), as file paths.

Each returns the Parquet file the next stage reads, so stages pass paths, not frames.
"""

from __future__ import annotations

from pathlib import Path

from flows.fanout import fans_out, ingest_files_step
from flows.files import INGEST, VALIDATE
from flows.fingerprints import is_remote_source
from flows.run_context import FlowRun
from flows.tasks import SOURCE_LINES, ingest_task, validate_task
from pipelines.validate import load_policy

__all__ = ["ingest_json", "ingest_step", "source_lines_of", "validate_step"]

_DATABASE_RETRIES = 3
_RETRY_DELAYS: list[float] = [2, 8, 30]  # backoff: three more tries, further apart


def ingest_step(run: FlowRun) -> Path:
    """Ingest the config's source; database and network sources are retried with backoff.

    A glob naming several files is ingested one task per file (`flows.fanout`).
    """
    config = run.config
    if fans_out(config.source):  # a glob of several files: one task per file, then combine
        return ingest_files_step(run)
    task = ingest_task
    if is_remote_source(config.source):
        task = ingest_task.with_options(
            retries=_DATABASE_RETRIES, retry_delay_seconds=_RETRY_DELAYS
        )
    run.stage("ingest", task, config.source, config.ingest, run.run_dir)
    return run.path("ingest", INGEST.data)


def validate_step(run: FlowRun, data: Path) -> Path:
    """Validate `data` when the config names a schema; return the valid rows' file."""
    section = run.config.validate_
    if not (section.enabled and section.schema_ref):
        return data
    options = section.options
    if section.policy is not None:
        options = options.model_copy(update={"policy": load_policy(section.policy)})
    lines = run.path("ingest", SOURCE_LINES)
    run.stage(
        "validate",
        validate_task,
        data,
        run.run_dir,
        section.schema_ref,
        options,
        source_lines=lines if lines.is_file() else None,
        policy=section.policy,
    )
    return run.path("validate", VALIDATE.valid)


def source_lines_of(run: FlowRun, data: Path) -> Path | None:
    """The file of source lines, one per row of `data` (ingest's or validation's rows)."""
    if data == run.path("validate", VALIDATE.valid):
        lines = run.path("validate", VALIDATE.valid_lines)
    else:
        lines = run.path("ingest", SOURCE_LINES)
    return lines if lines.is_file() else None


def ingest_json(run: FlowRun) -> Path:
    """The `ingest/ingest.json` of the run."""
    return run.path("ingest", INGEST.report)
