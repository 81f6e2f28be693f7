"""Every Prefect task of thresher: thin wrappers over the Prefect-free `flows/<stage>_outputs`.

Each task calls its stage's `run_<stage>` (which computes and writes the files), publishes a
Markdown artifact with a stable key through `publish_markdown`, prints one line, and returns
the typed `<Stage>Outputs`. Retries belong to I/O only (ingest from a database, set by the
flow); nothing is cached (the inputs are frames).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.files import INGEST, PROFILE, VALIDATE
from flows.ingest_outputs import IngestOutputs, run_ingest
from flows.profile_outputs import ProfileOutputs, run_profile
from flows.validate_outputs import ValidateOutputs, run_validate
from pipelines.ingest import IngestOptions, IngestReport
from pipelines.profile import ProfileOptions, ProfileReport
from pipelines.task import TaskSpec
from pipelines.validate import ValidateOptions
from reports.eda import render_eda_markdown
from reports.ingest import render_ingest_markdown
from reports.validation import render_validation_markdown

__all__ = ["ingest_task", "profile_task", "publish_markdown", "validate_task"]


def publish_markdown(markdown: str, key: str) -> None:
    """Publish `markdown` as the Prefect artifact `key`; a no-op outside a flow or task run."""
    from prefect.artifacts import create_markdown_artifact
    from prefect.context import get_run_context
    from prefect.exceptions import MissingContextError

    try:
        get_run_context()
    except MissingContextError:  # called via .fn() outside a run: nothing to attach to
        return
    create_markdown_artifact(markdown=markdown, key=key)


@task(name="ingest", cache_policy=NO_CACHE, log_prints=True)
def ingest_task(source: str, options: IngestOptions, run_dir: Path) -> IngestOutputs:
    """Ingest `source` into `run_dir/ingest`, keeping each row's source line for validation."""
    outputs = run_ingest(source, run_dir / INGEST.folder, options=options, source_lines=True)
    report = outputs.report
    publish_markdown(render_ingest_markdown(report), "ingest-summary")
    print(
        f"ingest: {report.rows_read:,} rows read, {report.rows_ok:,} ok, "
        f"{report.rows_quarantined:,} quarantined, {report.cell_issues:,} cells nulled"
    )
    return outputs


@task(name="validate", cache_policy=NO_CACHE, log_prints=True)
def validate_task(
    frame: pl.DataFrame,
    run_dir: Path,
    schema: str,
    options: ValidateOptions,
    *,
    source_lines: pl.Series | None = None,
) -> ValidateOutputs:
    """Validate the ingested frame into `run_dir/validate`; return the valid rows and report.

    `source_lines` (one per row, from ingest) lets quarantined rows name their file line.
    Raises `ValidationFailed` (after writing the outputs) when the policy fails.
    """
    outputs = run_validate(
        frame,
        run_dir / VALIDATE.folder,
        schema=schema,
        options=options,
        source="ingested data",
        source_lines=source_lines,
    )
    report = outputs.report
    publish_markdown(render_validation_markdown(report), "validation-summary")
    print(
        f"validate: {report.outcome}, {report.rows_valid:,} valid, "
        f"{report.rows_quarantined:,} quarantined; {outputs.html}"
    )
    if outputs.failed is not None:
        raise outputs.failed
    return outputs


@task(name="profile", cache_policy=NO_CACHE, log_prints=True)
def profile_task(
    frame: pl.DataFrame | pl.LazyFrame,
    run_dir: Path,
    *,
    task: TaskSpec | None = None,
    reference: pl.DataFrame | pl.LazyFrame | ProfileReport | None = None,
    options: ProfileOptions | None = None,
    ingest_report: IngestReport | None = None,
) -> ProfileOutputs:
    """Profile the data into `run_dir/profile` (eda.html/json/md) and publish the summary."""
    outputs = run_profile(
        frame,
        run_dir / PROFILE.folder,
        task=task,
        reference=reference,
        options=options or ProfileOptions(),
        ingest_report=ingest_report,
    )
    report = outputs.report
    publish_markdown(render_eda_markdown(report), "eda-profile")
    high = sum(a.severity == "high" for a in report.alerts)
    print(
        f"profile: {report.dataset.rows:,} rows x {report.dataset.columns} columns, "
        f"{len(report.alerts)} alerts ({high} high); {outputs.html}"
    )
    return outputs
