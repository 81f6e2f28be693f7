"""The run folder's front page and run summary: one section per `StageSummary`, in order.

A new stage appears here through its `StageSummary` (rows in, out, set aside, headline,
links); nothing in the template names a stage except ingest's detail tables below the stages.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from pipelines.ingest import IngestReport
from pipelines.runs import Decision, RunDiff
from pipelines.stage import StageSummary
from reports.html import environment

__all__ = [
    "RunPage",
    "render_decisions_markdown",
    "render_diff_markdown",
    "render_run_index",
    "render_run_markdown",
]

_DECISION_TITLES = {
    "failure": "Failures",
    "surprise": "Surprises",
    "assumption": "Assumptions made for you",
    "note": "Your notes",
}


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
    flow: str | None = None
    status: str | None = Field(None, description="running, completed or failed.")
    error: str | None = Field(None, description="One line: which stage failed and why.")
    ledger: dict[str, int] = Field(default_factory=dict, description="Rows at each step.")
    decisions: list[Decision] = Field(default_factory=list)
    diff: RunDiff | None = None
    stage_seconds: dict[str, float] = Field(default_factory=dict)
    cache_hits: list[str] = Field(default_factory=list, description="Stages reused from cache.")

    def decisions_by_kind(self) -> list[tuple[str, list[Decision]]]:
        """(title, decisions) per kind, failures and surprises first; empty kinds left out."""
        return _by_kind(self.decisions)


def _by_kind(decisions: list[Decision]) -> list[tuple[str, list[Decision]]]:
    return [
        (title, [d for d in decisions if d.kind == kind])
        for kind, title in _DECISION_TITLES.items()
        if any(d.kind == kind for d in decisions)
    ]


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


def render_decisions_markdown(name: str, run_id: str, decisions: list[Decision]) -> str:
    """`decisions.md`: the decision log grouped by kind (failures and surprises first)."""
    return (
        environment()
        .get_template("decisions.md.j2")
        .render(name=name, run_id=run_id, groups=_by_kind(decisions))
        .rstrip("\n")
        + "\n"
    )


def render_diff_markdown(diff: RunDiff) -> str:
    """The run-over-run diff as Markdown (the `<name>-run-diff` Prefect artifact)."""
    return environment().get_template("diff.md.j2").render(diff=diff).rstrip("\n") + "\n"
