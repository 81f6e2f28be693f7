"""Inline display of stage results in notebooks: `reports.show(result)` and `_repr_html_`.

Importing `reports` registers each stage's HTML renderer with `pipelines.stage` by the report
type's dotted name, without importing the stage (or the renderer) until something is shown.
After that, a stage result shown in a notebook cell renders its report inline.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from pipelines.stage import framed_html, register_html_renderer, render_report_html

__all__ = ["RENDERERS", "Shown", "register_renderers", "show"]

RENDERERS: dict[str, str] = {
    "pipelines.ingest.models.IngestReport": "reports.ingest:render_ingest_html",
    "pipelines.validate.models.ValidationReport": "reports.validation:render_validation_html",
    "pipelines.profile.models.ProfileReport": "reports.eda:render_eda_html",
}
"""Report type (dotted name) -> its renderer (`module:function`). A new stage adds one line."""


def _lazy(target: str) -> Any:
    module_name, _, function = target.partition(":")

    def render(report: object) -> str:
        renderer = getattr(import_module(module_name), function)
        return str(renderer(report))

    return render


def register_renderers() -> None:
    """Register every renderer in `RENDERERS` (idempotent; done when `reports` is imported)."""
    for report_type, target in RENDERERS.items():
        register_html_renderer(report_type, _lazy(target))


class Shown:
    """A rendered report that Jupyter displays inline (`html` holds the full page)."""

    def __init__(self, html: str, *, height: int = 640) -> None:
        self.html = html
        self.height = height

    def _repr_html_(self) -> str:
        return framed_html(self.html, height=self.height)

    def __repr__(self) -> str:
        return f"<Shown report: {len(self.html):,} characters of HTML>"


def show(result_or_report: object, *, height: int = 640) -> Shown:
    """Render a stage result (anything with `.report`) or a report model for a notebook.

    Raises
    ------
    TypeError
        When no renderer is registered for the report's type.
    """
    report = getattr(result_or_report, "report", result_or_report)
    html = render_report_html(report)
    if html is None:
        known = ", ".join(f"`{name.rsplit('.', 1)[-1]}`" for name in RENDERERS)
        msg = (
            f"no HTML renderer for `{type(report).__name__}`: pass a stage result or one of "
            f"{known} (register a renderer in `reports/display.py`)"
        )
        raise TypeError(msg)
    return Shown(html, height=height)
