"""Errors raised while starting a model server (the CLI prints them as one line, exit 2)."""

from __future__ import annotations

from pipelines.errors import ThresherError

__all__ = ["ServingError"]


class ServingError(ThresherError):
    """A model directory or a server option cannot be served as asked."""
