"""Render an `IngestReport`: a self-contained HTML page (notebooks) and a Markdown summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reports.html import environment

if TYPE_CHECKING:
    from pipelines.ingest.models import IngestReport

__all__ = ["render_ingest_html", "render_ingest_markdown"]


def render_ingest_html(report: IngestReport) -> str:
    """One HTML page (inline CSS, no scripts, no network): counts, reasons and repairs."""
    repaired = [c for c in report.columns if c.repairs or c.notes]
    return environment().get_template("ingest.html.j2").render(ingest=report, repaired=repaired)


def render_ingest_markdown(report: IngestReport) -> str:
    """Short Markdown account of an ingest run (the `ingest-summary` Prefect artifact)."""
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
