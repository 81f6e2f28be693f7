"""Errors of the train stage and of loading a saved model."""

from __future__ import annotations

from pipelines.errors import ThresherError

__all__ = ["ModelLoadError", "TrainError"]


class TrainError(ThresherError):
    """The data or options cannot train a model (too few rows, a bad split column...)."""


class ModelLoadError(ThresherError):
    """A model directory is incomplete, damaged, or holds an artifact of an unexpected type."""
