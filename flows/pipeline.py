"""The main flow: ingest -> validate -> profile, every output in one timestamped run folder.

The flow body only orchestrates: each step is a task from `flows.tasks` wrapping a plain stage
function; the tasks write their own outputs under the run folder and return typed outputs,
whose `stage_summary` feeds the run summary and the run page. A new stage is one task call
and one `stages.append(...)` here. Import `flows.runtime` first (the CLI does) so Prefect
picks up thresher's settings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter

from prefect import flow
from pydantic import BaseModel, ConfigDict, Field

from flows.files import INGEST, PROFILE, RUN, write_html, write_json
from flows.profile_outputs import load_reference_source
from flows.tasks import ingest_task, profile_task, publish_markdown, validate_task
from pipelines.config import PipelineConfig
from pipelines.profile import ProfileOptions
from pipelines.stage import StageSummary
from pipelines.validate import load_policy
from reports.run_index import RunPage, render_run_index, render_run_markdown

__all__ = ["RunSummary", "new_run_dir", "thresher_pipeline"]


class RunSummary(BaseModel):
    """What a pipeline run produced: where, each stage's rows and headline, and how long."""

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
    stages: list[StageSummary] = Field(default_factory=list)
    durations: dict[str, float] = Field(
        default_factory=dict, description="Seconds per stage (the reports hold no timings)."
    )


def new_run_dir(config: PipelineConfig) -> Path:
    """A fresh folder `output_dir/<name>-<UTC timestamp>` for one run."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    run_dir = config.output_dir / f"{config.name}-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=False)
    return run_dir


def _is_database(source: str) -> bool:
    return source.startswith(("postgresql://", "postgres://", "sqlite:"))


@flow(name="thresher-pipeline", log_prints=True)
def thresher_pipeline(config: PipelineConfig) -> RunSummary:
    """Run every enabled stage of `config` and return where the outputs are."""
    run_dir = new_run_dir(config)
    write_json(config.model_dump(mode="json", by_alias=True), run_dir / RUN.config)
    durations: dict[str, float] = {}
    stages: list[StageSummary] = []
    outputs: dict[str, str] = {}
    counts: dict[str, int | None] = {}

    started = perf_counter()
    ingest_step = (
        ingest_task.with_options(retries=2, retry_delay_seconds=3)
        if _is_database(config.source)
        else ingest_task
    )
    ingested = ingest_step(config.source, config.ingest, run_dir)
    durations["ingest"] = round(perf_counter() - started, 3)
    stages.append(ingested.stage_summary(run_dir))
    outputs["ingest"] = str(ingested.paths[INGEST.report])
    frame = ingested.result.data

    section = config.validate_
    if section.enabled and section.schema_ref:
        started = perf_counter()
        options = section.options
        if section.policy is not None:
            options = options.model_copy(update={"policy": load_policy(section.policy)})
        validated = validate_task(
            frame, run_dir, section.schema_ref, options, source_lines=ingested.source_lines
        )
        durations["validate"] = round(perf_counter() - started, 3)
        stages.append(validated.stage_summary(run_dir))
        outputs["validation"] = str(validated.html)
        counts["rows_valid"] = validated.report.rows_valid
        counts["rows_quarantined_validate"] = validated.report.rows_quarantined
        frame = validated.valid

    if config.profile.enabled:
        started = perf_counter()
        reference = None
        if config.profile.reference:
            scratch = run_dir / PROFILE.reference_folder
            reference = load_reference_source(config.profile.reference, scratch)
        profiled = profile_task(
            frame,
            run_dir,
            task=config.task,
            reference=reference,
            options=_profile_options(config),
            ingest_report=ingested.report,
        )
        durations["profile"] = round(perf_counter() - started, 3)
        stages.append(profiled.stage_summary(run_dir))
        outputs["eda"] = str(profiled.html)
        counts["alerts"] = len(profiled.report.alerts)

    outputs["index"] = str(run_dir / RUN.index)
    report = ingested.report
    result = RunSummary(
        name=config.name,
        run_dir=str(run_dir),
        rows_read=report.rows_read,
        rows_ingested=report.rows_ok,
        rows_quarantined_ingest=report.rows_quarantined,
        outputs=outputs,
        stages=stages,
        durations=durations,
        **counts,
    )
    write_json(result.model_dump(mode="json"), run_dir / RUN.summary)
    page = _run_page(result, config.source, run_dir)
    write_html(render_run_index(page, report), run_dir / RUN.index)
    publish_markdown(render_run_markdown(page), "run-summary")
    return result


def _profile_options(config: PipelineConfig) -> ProfileOptions:
    """The profile section's options, titled after the run unless the config sets a title."""
    options = config.profile.options
    if "title" in options.model_fields_set:
        return options
    return options.model_copy(update={"title": f"{config.name} · EDA"})


def _run_page(summary: RunSummary, source: str, run_dir: Path) -> RunPage:
    """The run page's model: every stage, with links only to files that exist."""
    stages = [
        stage.model_copy(
            update={
                "links": {
                    label: href for label, href in stage.links.items() if (run_dir / href).is_file()
                }
            }
        )
        for stage in summary.stages
    ]
    return RunPage(
        name=summary.name,
        run_dir=summary.run_dir,
        source=source,
        stages=stages,
        links={"Run summary (JSON)": RUN.summary},
    )
