"""What every stage shares: the `StageSummary` it hands the run page, and inline display.

`StageSummary` is how a stage appears in the run summary (`run.json`) and on the run folder's
`index.html`: the flow collects one per stage and the page loops over them, so a new stage
shows up without a template edit.

Inline display in notebooks: stage results mix in `DisplaysReport`, whose `_repr_html_`
renders the result's `report` through a renderer registered for the report's type. The
renderers live in `reports/` and register themselves when `reports` is imported
(`import reports`, or `reports.show(result)`), so `pipelines/` never imports `reports/`.
Without a registered renderer `_repr_html_` returns None and Jupyter shows the plain repr.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "DisplaysReport",
    "HtmlRenderer",
    "StageSummary",
    "framed_html",
    "register_html_renderer",
    "render_report_html",
]


class StageSummary(BaseModel):
    """One stage's line on the run page: rows in = rows out + rows set aside, and its reports.

    `links` maps a label to a path relative to the run folder (`"EDA report":
    "profile/eda.html"`); the run page lists only links whose file exists.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(..., description="Stage name, e.g. `ingest`.")
    rows_in: int = Field(..., ge=0, description="Rows the stage received (read, for ingest).")
    rows_out: int = Field(..., ge=0, description="Rows the stage passed on.")
    rows_set_aside: int = Field(
        ..., ge=0, description="Rows quarantined (with reasons) instead of passed on."
    )
    headline: str = Field(..., description="One plain sentence: what the stage found or did.")
    links: dict[str, str] = Field(
        default_factory=dict, description="Label -> file path relative to the run folder."
    )

    @model_validator(mode="after")
    def _rows_add_up(self) -> Self:
        if self.rows_in != self.rows_out + self.rows_set_aside:
            msg = (
                f"stage `{self.name}`: rows_in {self.rows_in} != rows_out {self.rows_out} + "
                f"rows_set_aside {self.rows_set_aside}; a stage must account for every row"
            )
            raise ValueError(msg)
        return self


HtmlRenderer = Callable[[Any], str]
"""A pure renderer: report model -> self-contained HTML page."""

_RENDERERS: dict[str, HtmlRenderer] = {}


def _type_key(report_type: type) -> str:
    return f"{report_type.__module__}.{report_type.__qualname__}"


def register_html_renderer(report_type: type | str, render: HtmlRenderer) -> None:
    """Register `render` for reports of `report_type` (and its subclasses); last one wins.

    `report_type` may be the class or its dotted name (`pipelines.profile.models.ProfileReport`),
    so a renderer can be registered without importing the stage.
    """
    key = report_type if isinstance(report_type, str) else _type_key(report_type)
    _RENDERERS[key] = render


def render_report_html(report: object) -> str | None:
    """The HTML page for `report` from its registered renderer, or None when there is none."""
    for klass in type(report).__mro__:
        render = _RENDERERS.get(_type_key(klass))
        if render is not None:
            return render(report)
    return None


class DisplaysReport:
    """Mixin for stage results (which hold `report`): show the report inline in a notebook.

    Rendering happens only when the notebook asks (`_repr_html_`), through the registry that
    `reports` fills on import.
    """

    report: Any

    def _repr_html_(self) -> str | None:
        from_registry = render_report_html(self.report)
        if from_registry is None:
            return None
        return framed_html(from_registry)


def framed_html(page: str, *, height: int = 640) -> str:
    """A full HTML page inside an `<iframe srcdoc>`, so its styles and scripts stay isolated."""
    escaped = (
        page.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )
    return (
        f'<iframe srcdoc="{escaped}" style="width:100%;height:{height}px;border:1px solid '
        '#e3e6ec;border-radius:8px" sandbox="allow-scripts"></iframe>'
    )
