"""Run-level Prefect artifacts with stable keys: summary, row ledger, diff, links.

Keys are `<config name>-run-summary`, `-row-ledger`, `-run-diff`, `-run-links` (lowercase with
dashes), so the Prefect UI shows one history per config. No-op outside a flow run.
"""

from __future__ import annotations

import re
from pathlib import Path

from flows.run_record import RunRecord
from reports.run_index import RunPage, render_diff_markdown, render_run_markdown

__all__ = ["artifact_key", "publish_run_artifacts"]


def artifact_key(name: str, suffix: str) -> str:
    """A Prefect artifact key: lowercase letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "run"
    return f"{slug}-{suffix}"


def publish_run_artifacts(record: RunRecord, run_dir: Path, page: RunPage) -> None:
    """Publish the run summary, the ledger table, the diff and the index link."""
    from prefect.artifacts import (
        create_link_artifact,
        create_markdown_artifact,
        create_table_artifact,
    )
    from prefect.context import get_run_context
    from prefect.exceptions import MissingContextError

    try:
        get_run_context()
    except MissingContextError:
        return
    name = record.name
    create_markdown_artifact(
        markdown=render_run_markdown(page), key=artifact_key(name, "run-summary")
    )
    rows = [{"step": step, "rows": count} for step, count in record.ledger.items()]
    create_table_artifact(table=rows, key=artifact_key(name, "row-ledger"))
    if record.diff is not None:
        create_markdown_artifact(
            markdown=render_diff_markdown(record.diff), key=artifact_key(name, "run-diff")
        )
    create_link_artifact(
        link=(run_dir / "index.html").resolve().as_uri(),
        link_text=f"{name} run page",
        key=artifact_key(name, "run-links"),
    )
