"""The run folder's front page: what was read, kept and set aside, and links to every report."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from pipelines.ingest import IngestReport
from reports.html import environment

__all__ = ["RunPage", "render_run_index"]


class RunPage(BaseModel):
    """Everything the index shows; links are relative to the run folder."""

    model_config = ConfigDict(frozen=True)

    name: str
    run_dir: str
    source: str
    rows_valid: int | None = None
    rows_quarantined_validate: int | None = None
    alerts: int | None = None
    links: dict[str, str]


def render_run_index(page: RunPage, ingest: IngestReport) -> str:
    """Self-contained HTML (no scripts, no network) for `run_dir/index.html`."""
    repaired = [c for c in ingest.columns if c.repairs or c.notes]
    reasons: Mapping[str, int] = ingest.quarantine_reasons
    return (
        environment()
        .get_template("run.html.j2")
        .render(page=page, ingest=ingest, repaired=repaired, reasons=reasons)
    )
