"""Prefect settings thresher needs before `prefect` is imported (env vars, set only if unset)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["prepare_prefect_environment"]

_DEFAULTS = {
    # A fresh SQLite DB plus analytics logs an alarming (harmless) "database is locked".
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The ephemeral API server needs 9-16 s on a fresh DB and more on a loaded CI box.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LOG_PRINTS": "true",
}


CACHE_FOLDER = ".cache"
"""Under a config's output_dir: the task cache (Prefect's persisted results) of its runs."""


def prepare_prefect_environment(*, output_dir: Path | None = None) -> None:
    """Set thresher's Prefect defaults unless the user already chose a value.

    With `output_dir` (the CLI passes the config's), the task cache lives beside the runs in
    `output_dir/.cache` instead of `~/.prefect/storage`: deleting the runs folder resets the
    cache too, and on a multi-machine Dask cluster it sits on the shared storage with them.
    `PREFECT_LOCAL_STORAGE_PATH` still wins when set.
    """
    for key, value in _DEFAULTS.items():
        os.environ.setdefault(key, value)
    if output_dir is not None:
        os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(output_dir / CACHE_FOLDER))
