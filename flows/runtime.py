"""Prefect settings thresher needs before `prefect` is imported (env vars, set only if unset)."""

from __future__ import annotations

import os

__all__ = ["prepare_prefect_environment"]

_DEFAULTS = {
    # A fresh SQLite DB plus analytics logs an alarming (harmless) "database is locked".
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The ephemeral API server needs 9-16 s on a fresh DB and more on a loaded CI box.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LOG_PRINTS": "true",
}


def prepare_prefect_environment() -> None:
    """Set thresher's Prefect defaults unless the user already chose a value."""
    for key, value in _DEFAULTS.items():
        os.environ.setdefault(key, value)
