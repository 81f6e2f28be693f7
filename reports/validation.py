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


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_validation_markdown(report: ValidationReport) -> str:
    """Return a short Markdown summary (for a Prefect artifact or a pull-request comment)."""
    lines = [
        f"### Validation: {report.outcome} ({_cell(report.schema_name)})",
        "",
        f"- rows in: {report.rows_in}",
        f"- rows valid: {report.rows_valid}",
        f"- rows quarantined: {report.rows_quarantined} ({report.invalid_fraction:.2%})",
        f"- rows kept with warnings: {report.rows_warned}",
    ]
    if report.outcome_reason:
        lines.append(f"- reason: {_cell(report.outcome_reason)}")
    if report.checks:
        lines += ["", "| column | check | severity | rows failed |", "| --- | --- | --- | ---: |"]
        lines += [
            f"| {_cell(c.column)} | {_cell(c.check)} | {c.severity} | {c.rows_failed} |"
            for c in report.checks
        ]
    return "\n".join(lines) + "\n"
