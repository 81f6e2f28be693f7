"""Stage progress events for whoever shows them (the CLI's rich display); no-op by default.

The flow calls `notify(stage, event, record)` at each stage's start and end; `listening(fn)`
installs a listener for the duration of a `with` block (one process, one flow at a time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from flows.run_record import StageRecord

__all__ = ["Event", "Listener", "listening", "notify"]

Event = Literal["start", "done", "failed"]
Listener = Callable[[str, Event, "StageRecord | None"], None]
_LISTENERS: list[Listener] = []


def notify(stage: str, event: Event, record: StageRecord | None = None) -> None:
    """Tell every listener that `stage` started, finished or failed."""
    for listener in list(_LISTENERS):
        listener(stage, event, record)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call `listener` on every stage event inside the block."""
    _LISTENERS.append(listener)
    try:
        yield
    finally:
        _LISTENERS.remove(listener)
