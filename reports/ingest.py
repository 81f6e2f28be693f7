"""Render an `IngestReport`: a self-contained HTML page (notebooks) and a Markdown summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from reports.html import environment

if TYPE_CHECKING:
    from pipelines.ingest.models import IngestReport

__all__ = ["ingest_console_table", "render_ingest_html", "render_ingest_markdown"]


def render_ingest_html(report: IngestReport) -> str:
    """One HTML page (inline CSS, no scripts, no network): counts, reasons and repairs."""
    repaired = [c for c in report.columns if c.repairs or c.notes]
    return environment().get_template("ingest.html.j2").render(ingest=report, repaired=repaired)


def render_ingest_markdown(report: IngestReport) -> str:
    """Short Markdown account of an ingest run (the `ingest-summary` Prefect artifact)."""
    return environment().get_template("ingest.md.j2").render(r=report).rstrip("\n")


def ingest_console_table(report: IngestReport, seconds: float) -> Table:
    """A per-column summary for the terminal (`thresher ingest`), for a run of `seconds`."""
    table = Table(
        title=(
            f"{report.source}: {report.rows_ok:,} rows ok, {report.rows_quarantined:,} "
            f"quarantined, {report.cell_issues:,} cells nulled ({seconds:.2f}s)"
        ),
        title_justify="left",
    )
    for header in ("column", "from", "dtype", "nulls", "repairs"):
        table.add_column(header, overflow="fold")
    for column in report.columns:
        repairs = ", ".join(f"{kind} {count:,}" for kind, count in column.repairs.items())
        if column.notes:
            repairs = "; ".join(filter(None, [repairs, *column.notes]))
        original = column.original_name if column.original_name != column.name else ""
        table.add_row(column.name, original, column.dtype, f"{column.null_count:,}", repairs)
    return table
