"""The main flow: ingest -> validate -> profile, every output in one timestamped run folder.

The flow body only orchestrates: each step is a task wrapping a plain stage function, and the
tasks write their own outputs under the run folder. Import `flows.runtime` first (the CLI
does) so Prefect picks up thresher's settings.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from flows.files import write_json
from flows.ingest_outputs import write_ingest_outputs
from flows.profile_tasks import load_reference_source, profile_task
from flows.validate_tasks import validate_task
from pipelines.config import PipelineConfig
from pipelines.ingest import IngestOptions, IngestReport, ingest
from pipelines.profile import ProfileOptions
from reports.run_index import RunPage, render_run_index

__all__ = ["RunSummary", "ingest_task", "new_run_dir", "thresher_pipeline"]


class RunSummary(BaseModel):
    """What a pipeline run produced: where, how many rows at each step, and key files."""

    model_config = ConfigDict(frozen=True)

    name: str
    run_dir: str
    rows_read: int
    rows_ingested: int
    rows_quarantined_ingest: int
    rows_valid: int | None = None
    rows_quarantined_validate: int | None = None
    alerts: int | None = None
    outputs: dict[str, str]


def new_run_dir(config: PipelineConfig) -> Path:
    """A fresh folder `output_dir/<name>-<UTC timestamp>` for one run."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    run_dir = config.output_dir / f"{config.name}-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=False)
    return run_dir


@task(name="ingest", cache_policy=NO_CACHE, log_prints=True)
def ingest_task(
    source: str, options: IngestOptions, run_dir: Path
) -> tuple[pl.DataFrame, IngestReport, pl.Series]:
    """Ingest `source` into `run_dir/ingest`; return the frame, its report and source lines."""
    result = ingest(source, options.model_copy(update={"add_line_numbers": True}))
    lines = result.data.get_column("_source_line")
    if not options.add_line_numbers:  # added only so validation can cite lines
        result = dataclasses.replace(result, data=result.data.drop("_source_line"))
    write_ingest_outputs(result, run_dir / "ingest")
    report = result.report
    print(
        f"ingest: {report.rows_read:,} rows read, {report.rows_ok:,} ok, "
        f"{report.rows_quarantined:,} quarantined, {report.cell_issues:,} cells nulled"
    )
    create_markdown_artifact(markdown=_ingest_markdown(report), key="ingest-summary")
    return result.data, report, lines


def _ingest_markdown(report: IngestReport) -> str:
    lines = [
        f"### Ingest of `{report.source}`",
        "",
        f"{report.rows_read:,} rows read: **{report.rows_ok:,} ok**, "
        f"{report.rows_quarantined:,} quarantined, {report.cell_issues:,} cells nulled.",
        "",
        "| column | dtype | nulls | repairs |",
        "| --- | --- | ---: | --- |",
    ]
    for column in report.columns:
        repairs = ", ".join(f"{k} {v:,}" for k, v in column.repairs.items()) or "-"
        lines.append(f"| {column.name} | {column.dtype} | {column.null_count:,} | {repairs} |")
    return "\n".join(lines)


def _is_database(source: str) -> bool:
    return source.startswith(("postgresql://", "postgres://", "sqlite:"))


@flow(name="thresher-pipeline", log_prints=True)
def thresher_pipeline(config: PipelineConfig) -> RunSummary:
    """Run every enabled stage of `config` and return where the outputs are."""
    run_dir = new_run_dir(config)
    write_json(config.model_dump(mode="json", by_alias=True), run_dir / "config.json")
    ingest_step = (
        ingest_task.with_options(retries=2, retry_delay_seconds=3)
        if _is_database(config.source)
        else ingest_task
    )
    frame, report, lines = ingest_step(config.source, config.ingest, run_dir)
    outputs = {"ingest": str(run_dir / "ingest" / "ingest.json")}
    summary: dict[str, Any] = {
        "rows_read": report.rows_read,
        "rows_ingested": report.rows_ok,
        "rows_quarantined_ingest": report.rows_quarantined,
    }
    section = config.validate_
    if section.enabled and section.schema_ref:
        frame, validation = validate_task(
            frame, run_dir, section.schema_ref, section.policy, source_lines=lines
        )
        outputs["validation"] = str(run_dir / "validate" / "validation.html")
        summary["rows_valid"] = validation.get("rows_valid")
        summary["rows_quarantined_validate"] = validation.get("rows_quarantined")
    if config.profile.enabled:
        reference = None
        if config.profile.reference:
            reference = load_reference_source(config.profile.reference, run_dir / "reference")
        profiled = profile_task(
            frame,
            run_dir / "profile",
            target=config.task.target,
            reference=reference,
            options=ProfileOptions(title=f"{config.name} · EDA"),
            ingest_report=report,
        )
        outputs["eda"] = str(run_dir / "profile" / "eda.html")
        summary["alerts"] = profiled.get("alerts")
    outputs["index"] = str(run_dir / "index.html")
    result = RunSummary(name=config.name, run_dir=str(run_dir), outputs=outputs, **summary)
    write_json(result.model_dump(mode="json"), run_dir / "run.json")
    _write_index(result, report, config.source, run_dir)
    return result


def _write_index(summary: RunSummary, report: IngestReport, source: str, run_dir: Path) -> None:
    """Write the run's front page, linking (relatively) to every report that exists."""
    candidates = {
        "EDA report": "profile/eda.html",
        "Validation report": "validate/validation.html",
        "Great Expectations Data Docs": "validate/data_docs/index.html",
        "Ingest account (JSON)": "ingest/ingest.json",
        "Run summary (JSON)": "run.json",
    }
    links = {label: href for label, href in candidates.items() if (run_dir / href).is_file()}
    page = RunPage(
        name=summary.name,
        run_dir=summary.run_dir,
        source=source,
        rows_valid=summary.rows_valid,
        rows_quarantined_validate=summary.rows_quarantined_validate,
        alerts=summary.alerts,
        links=links,
    )
    (run_dir / "index.html").write_text(render_run_index(page, report), encoding="utf-8")
