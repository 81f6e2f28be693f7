"""One small exception hierarchy: every message names the source, the place and what to do."""

from __future__ import annotations

__all__ = [
    "ColumnNotFoundError",
    "ConfigError",
    "IngestError",
    "SourceError",
    "TaskError",
    "ThresherError",
    "UnsupportedSourceError",
]


class ThresherError(Exception):
    """Base of all thresher errors; the CLI prints these as one line and exits 2."""

    exit_code: int = 2


class ConfigError(ThresherError):
    """A pipeline config or option is invalid."""


class IngestError(ThresherError):
    """Data could not be read into a frame."""


class SourceError(IngestError):
    """The source itself is unusable: missing, unreadable, empty, unreachable."""


class UnsupportedSourceError(IngestError):
    """The source's format is not one thresher reads."""


class ColumnNotFoundError(ConfigError):
    """A column named by the user (target, group, sensitive, excluded...) is not in the data."""


class TaskError(ThresherError):
    """The task (target and kind of problem) does not fit the data."""
