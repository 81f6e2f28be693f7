"""Shared HTML helpers for self-contained reports: escaping, JSON islands, assets, templates.

Generic on purpose: any report (EDA, validation) can render a page with inlined assets and
no network access.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

__all__ = [
    "asset_text",
    "code_spans",
    "environment",
    "inline_script",
    "inline_style",
    "json_for_script",
    "markdown_cell",
]

_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def json_for_script(value: object) -> Markup:
    """Serialise to JSON that is safe inside `<script type="application/json">`.

    `<`, `>` and `&` (and U+2028/9) become unicode escapes.

    Keys are sorted so the same data gives the same bytes.
    """
    text = json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    for raw, escaped in _JSON_ESCAPES.items():
        text = text.replace(raw, escaped)
    return Markup(text)


@cache
def asset_text(name: str) -> str:
    """Text of a file in `reports/assets` (source-map comments removed)."""
    text = resources.files("reports").joinpath("assets", name).read_text(encoding="utf-8")
    return _SOURCE_MAP.sub("", text)


def inline_script(name: str) -> Markup:
    """Return a vendored or own script, safe to place inside a `<script>` element."""
    text = asset_text(name).replace("</script", "<\\/script").replace("<!--", "<\\!--")
    return Markup(text)


def inline_style(name: str) -> Markup:
    """Return a stylesheet, safe to place inside a `<style>` element."""
    return Markup(asset_text(name).replace("</style", "<\\/style"))


def markdown_cell(text: object) -> str:
    """Text safe inside a Markdown table cell or line: pipes escaped, newlines flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def code_spans(text: str) -> Markup:
    """Escape `text` and show its `backticked` parts as <code> (for alert messages)."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # unbalanced backticks: show the text as it is
        return Markup(escape(text))
    out = [
        escape(part) if i % 2 == 0 else Markup("<code>%s</code>") % part
        for i, part in enumerate(parts)
    ]
    return Markup("").join(out)


@cache
def environment() -> Environment:
    """The one Jinja2 environment over `reports/templates`.

    Autoescaping is on for every template except Markdown ones (`*.md.j2`), whose values go
    through the `md` filter instead (pipes escaped, newlines flattened).
    """
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(
            disabled_extensions=("md.j2",), default=True, default_for_string=True
        ),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson_script"] = json_for_script
    env.filters["code_spans"] = code_spans
    env.filters["md"] = markdown_cell
    return env
