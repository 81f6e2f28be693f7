"""The run folder's front page and run summary: one section per `StageSummary`, in order.

A new stage appears here through its `StageSummary` (rows in, out, set aside, headline,
links); nothing in the template names a stage except ingest's detail tables below the stages.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from pipelines.ingest import IngestReport
from pipelines.stage import StageSummary
from reports.html import environment

__all__ = ["RunPage", "render_run_index", "render_run_markdown"]


class RunPage(BaseModel):
    """Everything the index shows; links are relative to the run folder."""

    model_config = ConfigDict(frozen=True)

    name: str
    run_dir: str
    source: str
    stages: list[StageSummary] = Field(default_factory=list)
    links: dict[str, str] = Field(
        default_factory=dict, description="Run-level files (run.json...), label -> href."
    )


def render_run_index(page: RunPage, ingest: IngestReport | None = None) -> str:
    """Self-contained HTML (no scripts, no network) for `run_dir/index.html`.

    `ingest`, when given, adds why rows could not be read and what ingest repaired.
    """
    repaired = [c for c in ingest.columns if c.repairs or c.notes] if ingest else []
    reasons: Mapping[str, int] = ingest.quarantine_reasons if ingest else {}
    links = {label: href for stage in page.stages for label, href in stage.links.items()}
    return (
        environment()
        .get_template("run.html.j2")
        .render(
            page=page,
            ingest=ingest,
            repaired=repaired,
            reasons=reasons,
            links={**links, **page.links},
        )
    )


def render_run_markdown(page: RunPage) -> str:
    """The run summary as Markdown (the `run-summary` Prefect artifact): one row per stage."""
    return environment().get_template("run.md.j2").render(page=page).rstrip("\n")
