"""Render a `ValidationReport` as self-contained HTML or Markdown; no statistics computed here."""

from __future__ import annotations

from pipelines.validate.models import ValidationReport
from reports.html import environment

__all__ = ["render_validation_html", "render_validation_markdown"]


def render_validation_html(report: ValidationReport) -> str:
    """Return one HTML page (inline CSS, no scripts, no external links) for `report`.

    Every data value passes through Jinja2 autoescaping.
    """
    template = environment().get_template("validation.html.j2")
    return template.render(report=report)


def render_validation_markdown(report: ValidationReport) -> str:
    """Return a short Markdown summary (for a Prefect artifact or a pull-request comment)."""
    return environment().get_template("validation.md.j2").render(r=report).rstrip("\n") + "\n"
