"""Write a run's decision log, `decisions.md` (rendered by `reports.run_index`)."""

from __future__ import annotations

from pathlib import Path

from flows.files import write_text
from pipelines.runs import Decision
from reports.run_index import render_decisions_markdown

__all__ = ["DECISIONS_FILE", "write_decisions"]

DECISIONS_FILE = "decisions.md"


def write_decisions(run_dir: Path, name: str, decisions: list[Decision]) -> str:
    """Write `run_dir/decisions.md`; return its path relative to the run folder."""
    write_text(render_decisions_markdown(name, run_dir.name, decisions), run_dir / DECISIONS_FILE)
    return DECISIONS_FILE
