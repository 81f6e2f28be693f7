"""The terminal side of `thresher run`: a live line per stage, then the summary table."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from time import perf_counter
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from flows.progress import Event
    from flows.run_record import RunRecord, StageRecord

__all__ = ["StageDisplay", "print_summary", "quiet_prefect_tracebacks"]


class _OneLine(logging.Filter):
    """Drop the traceback (and lines after the first) from Prefect's console log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info or record.levelno >= logging.ERROR:
            record.msg = str(record.getMessage()).splitlines()[0] if record.getMessage() else ""
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_prefect_tracebacks() -> None:
    """Prefect logs every failure with its traceback; the CLI's own error line says it once.

    `--debug` (THRESHER_DEBUG=1) keeps Prefect's tracebacks.
    """
    if os.environ.get("THRESHER_DEBUG") == "1":
        return
    for name in ("prefect", "prefect.flow_runs", "prefect.task_runs"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, _OneLine) for f in handler.filters):
                handler.addFilter(_OneLine())


class StageDisplay:
    """A rich `Live` table: one row per stage (running, done, cached, failed)."""

    def __init__(self, flow: str, name: str) -> None:
        self.console = Console(stderr=True)
        self.title = f"thresher {flow} · {name}"
        self.rows: dict[str, tuple[str, str]] = {}
        self.started: dict[str, float] = {}
        self.live = Live(
            self._render(), console=self.console, refresh_per_second=4, transient=False
        )

    def __enter__(self) -> StageDisplay:
        self.live.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.live.update(self._render())
        self.live.__exit__(kind, value, traceback)
        self.console.print()  # the error line or the summary starts on a line of its own

    def on_event(self, stage: str, event: Event, record: StageRecord | None) -> None:
        """Update the stage's row (called by `flows.progress.notify`)."""
        if event == "start":
            self.started[stage] = perf_counter()
            self.rows[stage] = ("running", "")
        elif record is not None and event == "done":
            state = "cached" if record.cache_hit else "done"
            headline = record.summary.headline if record.summary else ""
            self.rows[stage] = (f"{state} {record.seconds:.1f}s", headline)
        elif record is not None:
            self.rows[stage] = (f"failed {record.seconds:.1f}s", record.error or "")
        self.live.update(self._render())

    def _render(self) -> Table:
        table = Table(title=self.title, show_header=False, box=None, expand=False)
        table.add_column("stage", style="bold")
        table.add_column("state")
        table.add_column("what happened", overflow="fold")
        for stage, (state, headline) in self.rows.items():
            marker: Spinner | Text
            if state == "running":
                elapsed = perf_counter() - self.started.get(stage, perf_counter())
                marker = Spinner("dots", text=f"running {elapsed:.0f}s")
            else:
                style = "red" if state.startswith("failed") else "green"
                marker = Text(state, style=style)
            table.add_row(stage, marker, headline)
        return table


def print_summary(record: RunRecord) -> None:
    """The summary table, the row ledger and where the run page is (stdout)."""
    console = Console()
    table = Table(title=f"{record.flow} run {record.run_id} · {record.status}")
    for column, justify in (
        ("stage", "left"),
        ("rows in", "right"),
        ("rows out", "right"),
        ("set aside", "right"),
        ("seconds", "right"),
        ("cache", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for stage in record.stages:
        summary = stage.summary
        table.add_row(
            stage.name,
            f"{summary.rows_in:,}" if summary else "-",
            f"{summary.rows_out:,}" if summary else "-",
            f"{summary.rows_set_aside:,}" if summary else "-",
            f"{stage.seconds:.1f}",
            "hit" if stage.cache_hit else "",
        )
    console.print(table)
    if record.ledger:
        console.print("rows: " + " -> ".join(f"{k} {v:,}" for k, v in record.ledger.items()))
    if record.diff is not None:
        console.print(f"since {record.diff.previous_run}: {record.diff.headline()}")
    run_dir = Path(record.run_dir)
    print(f"run folder: {run_dir}")
    for label, href in record.outputs.items():
        print(f"  {label:<28} {run_dir / href}")
    print(f"open {run_dir / 'index.html'} in a browser to start")
